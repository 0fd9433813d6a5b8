/**
 * True in a development build, false in a production one: the one switch for detail that only
 * helps while writing code (did-you-mean suggestions, what an option accepts, long
 * explanations). Checks and the errors they throw are the same in both.
 *
 * It follows the `process.env.NODE_ENV` convention that bundlers replace (esbuild, Vite, webpack,
 * Rollup's replace plugin, the Angular CLI through esbuild): written exactly this way, a
 * production bundle folds it to `false` (scripts/build.mjs inlines the expression where it is
 * read, so the development-only functions go too). Where `process` does not exist at run time
 * (a browser page, whatever the bundler defined) it is `false`, without a `ReferenceError`: a
 * fallback to `true` there would keep a production bundle from folding it. Node, Jest
 * (`NODE_ENV=test`) and server-side rendering are development unless `NODE_ENV` is `production`.
 */
export const DEVELOPMENT = (typeof process === 'undefined' ? 'production' : process.env.NODE_ENV) !== 'production';
