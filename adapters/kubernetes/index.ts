export { createKubernetesExecutor, loadKubeConfig, type KubernetesExecutor, type KubernetesExecutorOptions } from './kubernetes-executor.ts';
export { parseKubernetesConfig, kubernetesEnv, type KubernetesConfig } from './config.ts';
