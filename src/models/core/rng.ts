/** Models draw from the one seeded PRNG of the project (xoshiro128**); see shared/rng.ts. */
export { Rng } from '../../shared/index.ts';
