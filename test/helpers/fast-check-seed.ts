/**
 * Jest setup (jest.config.json `setupFilesAfterEnv`): the random-model tests run on a fixed
 * fast-check seed, so `npm test` checks the same models on every run and a failure reproduces.
 * `npm run test:heavy` sets MMCHECK_HEAVY=1: a fresh seed each run (fast-check prints it, with
 * the shrunk counterexample, on failure; rerun with MMCHECK_SEED=<seed>) and more models.
 */
import fc from 'fast-check';

const given = process.env.MMCHECK_SEED;
const seed =
  given !== undefined ? Number(given) : process.env.MMCHECK_HEAVY ? Math.floor(Math.random() * 2 ** 31) : 20261205;
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
