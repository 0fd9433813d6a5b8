import { describeSnippets } from '../docs/snippets';
import { describeBundles } from './bundles';
import { describeLoading } from './loading';
import { describeNodeOnlyCode } from './node-only';
import { describeShortenedNames } from './shortened-names';
import { packAndInstall, type PackedInstall } from './support/packed-install';
import { describeTarball } from './tarball';
import { describeTypes } from './types';

/**
 * The published package as adopters get it: built and packed once (`npm pack`), unpacked into
 * a throwaway app offline, then required, imported, type-checked and bundled from there.
 */
describe('the packed package', () => {
  let install: PackedInstall | undefined;
  const installed = (): PackedInstall => {
    if (install === undefined) throw new Error('the package was not packed (see the beforeAll error)');
    return install;
  };

  beforeAll(() => {
    install = packAndInstall();
  }, 60_000);

  afterAll(() => install?.dispose());

  describeTarball(installed);
  describeLoading(installed);
  describeTypes(installed);
  describeBundles(installed);
  describeNodeOnlyCode(installed);
  describeSnippets(installed);
  describeShortenedNames(installed);
});
