/**
 * True in a development build, false in a production one: the one switch for detail that only
 * helps while writing code (did-you-mean suggestions, what an option accepts, long
 * explanations). Checks and the errors they throw are the same in both.
 *
 * It follows the `process.env.NODE_ENV` convention that bundlers replace (esbuild, Vite, webpack,
 * Rollup's replace plugin, the Angular CLI through esbuild): written exactly this way, a
 * production bundle folds it to `false` and drops every `if (DEVELOPMENT)` branch. Where
 * `process` does not exist at all (a browser loading the ES modules without a bundler) it is
 * `false`, without a `ReferenceError`. Jest sets `NODE_ENV=test`: development.
 */
export const DEVELOPMENT = (typeof process === 'undefined' ? 'production' : process.env.NODE_ENV) !== 'production';
