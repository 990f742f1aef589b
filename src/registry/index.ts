/** Trained models in the bucket (the seed of the model registry). */
export { ModelBundleStore, type ModelBundle, type ModelManifest } from './model-bundle-store.ts';
