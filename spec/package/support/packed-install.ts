import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository under test. */
export const REPO = resolve(__dirname, '../../..');

/** What `npm pack --json` reports for the tarball. */
export interface PackReport {
  readonly filename: string;
  /** Bytes of the .tgz. */
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly { readonly path: string; readonly size: number }[];
}

/** A tarball installed the way npm would lay it out, in a throwaway app. */
export interface PackedInstall {
  /** Everything lives under here; `dispose()` removes it. */
  readonly sandbox: string;
  /** The app: `node_modules/rx-reconnect` is the unpacked tarball; rxjs, ws, @angular/core link to the repo's. */
  readonly app: string;
  /** `<app>/node_modules/rx-reconnect`. */
  readonly installed: string;
  readonly tarball: string;
  readonly pack: PackReport;
  dispose(): void;
}

/** What `npm pack` needs from the repository: sources, build config, and what it ships. */
const PACKAGE_SOURCES = ['package.json', 'README.md', 'LICENSE', 'tsconfig.json', 'tsconfig.build.json', 'tsconfig.build.esm.json', 'lib', 'scripts'];

/** The installed package's dependencies (and optional peer), linked from the repository: no registry involved. */
const LINKED_DEPENDENCIES = ['rxjs', 'ws', 'tweetnacl', '@angular/core'];

const run = (command: string, args: readonly string[], cwd: string): string =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });

/**
 * `npm run build` and `npm pack` in a copy of the repository (so a concurrent build in the
 * working tree cannot interfere), then the tarball unpacked into an app's node_modules.
 */
export function packAndInstall(): PackedInstall {
  const sandbox = mkdtempSync(join(tmpdir(), 'rx-reconnect-pack-'));
  try {
    const source = join(sandbox, 'source');
    for (const entry of PACKAGE_SOURCES) cpSync(join(REPO, entry), join(source, entry), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(source, 'node_modules'), 'dir');
    run(process.execPath, ['scripts/build.mjs'], source);
    // The build already ran; --ignore-scripts keeps prepack from running it again.
    const [pack] = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', sandbox], source)) as PackReport[];
    const tarball = join(sandbox, pack.filename);

    const app = join(sandbox, 'app');
    const installed = join(app, 'node_modules', 'rx-reconnect');
    mkdirSync(installed, { recursive: true });
    run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'], sandbox);
    for (const dependency of LINKED_DEPENDENCIES) {
      mkdirSync(join(app, 'node_modules', dependency, '..'), { recursive: true });
      symlinkSync(join(REPO, 'node_modules', dependency), join(app, 'node_modules', dependency), 'dir');
    }
    return { sandbox, app, installed, tarball, pack, dispose: () => rmSync(sandbox, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(sandbox, { recursive: true, force: true });
    throw error;
  }
}

/** The installed package's package.json. */
export function installedManifest(install: PackedInstall): Record<string, unknown> {
  return JSON.parse(readFileSync(join(install.installed, 'package.json'), 'utf8')) as Record<string, unknown>;
}
