/**
 * Upstream traits that moved; an operator's old `config:` block still works, the value
 * lands on the new name (as upstream's `_build_config_deprecated_map` does).
 */
export const DEPRECATED_KEYS: Record<string, [string, string]> = {
  'BinderHub.appendix': ['BuildExecutor', 'appendix'],
  'BinderHub.pod_quota': ['LaunchQuota', 'total_quota'],
  'BinderHub.build_image': ['KubernetesBuildExecutor', 'build_image'],
  'BinderHub.build_namespace': ['KubernetesBuildExecutor', 'namespace'],
  'BinderHub.build_node_selector': ['KubernetesBuildExecutor', 'node_selector'],
  'BinderHub.build_docker_host': ['KubernetesBuildExecutor', 'docker_host'],
  'BinderHub.push_secret': ['KubernetesBuildExecutor', 'push_secret'],
  'BinderHub.sticky_builds': ['KubernetesBuildExecutor', 'sticky_builds'],
  'BinderHub.log_tail_lines': ['KubernetesBuildExecutor', 'log_tail_lines'],
  'BinderHub.build_max_age': ['KubernetesCleaner', 'max_age'],
};
