/** Hyperparameter search: samplers (random, TPE), pruners, studies on a storage port, test functions. */
export { FirstTrialSampler, RandomSampler, type Sampler, type Space } from './sampler.ts';
export { TpeSampler, type TpeOptions } from './tpe-sampler.ts';
export { MedianPruner, NopPruner, SuccessiveHalvingPruner, type Pruner } from './pruner.ts';
export { bestTrial, Study, TrialPruned, type Objective, type OptimizeOptions, type StudyOptions, type TrialHandle } from './study.ts';
export { MemoryStudyStorage, type StudySpec, type StudyStorage } from './study-storage.ts';
export { branin, DEVELOPMENT_FUNCTIONS, hartmann6, noisyQuadratic10, TEST_FUNCTIONS, type TestFunction } from './test-functions.ts';
export type { Direction, Params, ParamValue, TrialRecord, TrialState } from './trial.ts';
export { parameterImportance } from './importance.ts';
export { halveFamilies, rankValue, rungsFor, type FamilyStanding, type HalvingOptions, type RungResult } from './family-halving.ts';
