export type { AddonSwitches, KubernetesBindings, KubernetesBindingsArgs } from "./kubernetes.ts";
export { KubernetesPlatform, type KubernetesPlatformArgs } from "./platform.ts";
