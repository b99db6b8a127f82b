/** `component` label of every build pod (upstream's); the cleaner lists pods by it. */
export const BUILD_COMPONENT = 'binderhub-build';

/** Selector of all build pods. */
export const BUILD_POD_SELECTOR = `component=${BUILD_COMPONENT}`;

/** Selector of one build's pod (upstream watches by the `name` label). */
export const buildPodSelector = (buildName: string) => `name=${buildName}`;

/** The one container of a build pod. */
export const BUILDER_CONTAINER = 'builder';
