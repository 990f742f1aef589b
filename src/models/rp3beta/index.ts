/** RP3beta: a popularity-penalised random walk item → user → item, kept as sparse top-K item neighbours. */
export { Rp3betaRecommender } from './rp3beta-recommender.ts';
export { rp3betaDefaults, rp3betaSearchSpace, type Rp3betaNormalization, type Rp3betaParams } from './rp3beta-params.ts';
export { rp3betaTransitions } from './rp3beta-transitions.ts';
