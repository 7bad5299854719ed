/**
 * Env var names a submitter can never set through a definition's parameters: each would let the
 * submitter change what runs rather than what it acts on — load a library (LD_PRELOAD), inject
 * interpreter flags (NODE_OPTIONS, PERL5OPT), run a file at shell start (BASH_ENV, ENV), move
 * where commands and config are found (PATH, HOME, GIT_*, npm_config_*), redirect the fetch of
 * the job code (AWS_*, proxies) or steer the runner itself (REACTORCIDE_*).
 *
 * Compared without regard to case: Linux env names are case-sensitive, but some tools read
 * lower-case variants (http_proxy, npm_config_*), and a refusal by case costs nothing.
 */
const exact = new Set(
  [
    'PATH', 'HOME', 'USER', 'SHELL', 'ENV', 'BASH_ENV', 'SHELLOPTS', 'BASHOPTS', 'IFS', 'PS4', 'PROMPT_COMMAND',
    'CDPATH', 'GLOBIGNORE', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'LANGUAGE', 'LOCPATH', 'NLSPATH', 'GCONV_PATH',
    'HOSTALIASES', 'RESOLV_HOST_CONF', 'LOCALDOMAIN', 'RES_OPTIONS', 'TZDIR', 'MALLOC_CHECK_', 'MALLOC_PERTURB_',
    'CLASSPATH', 'JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS', 'JDK_JAVA_OPTIONS', 'MAVEN_OPTS', 'GRADLE_OPTS',
    'SSL_CERT_FILE', 'SSL_CERT_DIR', 'CURL_CA_BUNDLE', 'REQUESTS_CA_BUNDLE', 'OPENSSL_CONF', 'OPENSSL_ENGINES',
    'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY', 'FTP_PROXY',
    'EDITOR', 'VISUAL', 'PAGER', 'BROWSER', 'SSH_AUTH_SOCK', 'SSH_ASKPASS', 'SUDO_ASKPASS', 'GNUPGHOME',
    'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'XDG_RUNTIME_DIR', 'KUBECONFIG', 'DOCKER_HOST',
    'DOCKER_CONFIG', 'CI', 'GOFLAGS', 'GOPROXY', 'CARGO_HOME', 'RUSTFLAGS', 'RUSTC_WRAPPER', 'CC', 'CXX', 'LDFLAGS',
    'CFLAGS', 'CXXFLAGS', 'CPPFLAGS', 'MAKEFLAGS', 'PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL', 'PIP_CONFIG_FILE',
    // Not env names anyone needs, and JavaScript objects treat them specially: a parser could drop them silently.
    '__PROTO__', 'CONSTRUCTOR', 'PROTOTYPE',
  ].map((n) => n.toUpperCase()),
);

/** Any name starting with one of these (upper-cased) is refused. */
const prefixes = [
  'REACTORCIDE_', 'LD_', 'DYLD_', 'NODE_', 'NPM_CONFIG_', 'YARN_', 'PNPM_', 'BUN_', 'DENO_', 'GIT_', 'PYTHON', 'PERL',
  'RUBY', 'GEM_', 'BUNDLE_', 'BASH_FUNC_', 'AWS_', 'KUBERNETES_', 'SSL_', 'JAVA_', 'DOTNET_', 'COMPLUS_',
  'CORECLR_', 'LUA_', 'PHP', 'TS_NODE_', 'TSX_', 'ELECTRON_', 'CHROME_', 'UV_', 'CONDA_', 'VIRTUAL_ENV',
];

/** Names of env vars: ASCII letters, digits and underscores, not starting with a digit. */
export const envNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Why `name` may not be set by a submitter, or null when it may. */
export function reservedEnvNameReason(name: string): string | null {
  if (!envNamePattern.test(name)) return `${JSON.stringify(name)} is not an env var name (ASCII letters, digits, _)`;
  const upper = name.toUpperCase();
  if (exact.has(upper)) return `${name} would change what runs, so it cannot be a parameter`;
  const prefix = prefixes.find((p) => upper.startsWith(p));
  if (prefix !== undefined) return `names starting ${prefix} would change what runs, so ${name} cannot be a parameter`;
  return null;
}
