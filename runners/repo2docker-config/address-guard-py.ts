/**
 * The address guard of repo2docker's configuration (Python; see content-provider-config.ts):
 * every host name repo2docker's process resolves (requests, urllib, every redirect, every
 * file a record lists) is checked, all its addresses, against the URL policy's block
 * list and allow list (`SETTINGS["guard"]`) before any connection, and the connection
 * goes to the addresses checked (the same answer): no second DNS answer counts. The
 * Docker engine's own address (a `tcp://` DOCKER_HOST) is allowed.
 */
export const ADDRESS_GUARD_PY = `# --- the address guard -------------------------------------------------------------
GUARD = SETTINGS["guard"]
BLOCKED = [ipaddress.ip_network(n) for n in GUARD["blocked"]]
ALLOWED_NETS = [ipaddress.ip_network(n) for n in GUARD["allowedNets"]]
ALLOWED_HOSTS = [(h.lower(), p) for h, p in GUARD["allowedHosts"]]
_docker = urlparse(os.environ.get("DOCKER_HOST", ""))
if _docker.scheme == "tcp" and _docker.hostname:
    ALLOWED_HOSTS.append((_docker.hostname.lower(), _docker.port))


def _address(text):
    ip = ipaddress.ip_address(text.split("%")[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _same_host(a, b):
    try:
        return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError:
        return a == b


def _allowed(host, port, ip):
    for allowed_host, allowed_port in ALLOWED_HOSTS:
        if _same_host(allowed_host, host) and (
            allowed_port is None or str(allowed_port) == str(port)
        ):
            return True
    return any(ip in net for net in ALLOWED_NETS)


_system_getaddrinfo = socket.getaddrinfo


def _checked_getaddrinfo(host, port, *args, **kwargs):
    answers = _system_getaddrinfo(host, port, *args, **kwargs)
    name = (host.decode() if isinstance(host, bytes) else str(host)).strip("[]").lower()
    for family, _type, _proto, _canon, sockaddr in answers:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        ip = _address(sockaddr[0])
        if any(ip in net for net in BLOCKED) and not _allowed(name, port, ip):
            raise OSError(
                f"binderhub-ts: {name} has a private or local address ({sockaddr[0]}), "
                "which builds may not connect to"
            )
    return answers


socket.getaddrinfo = _checked_getaddrinfo


`;
