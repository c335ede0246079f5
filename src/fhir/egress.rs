//! Where the service may send requests: a FHIR server (and its token
//! endpoint) on the public internet, unless its registration explicitly
//! allows private addresses. Otherwise anyone who can register a server, or
//! a DNS name that later points elsewhere, could make the service call the
//! cloud metadata endpoint (169.254.169.254), a database on localhost or a
//! machine on the internal network.
//!
//! The check runs where addresses are known: on IP literals in URLs, and on
//! every address DNS gives when a connection is made (so a name that
//! resolves to a public address at registration and to a private one later
//! is refused then).

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// Whether requests may go to `ip` without the registration allowing
/// private addresses.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        // Benchmarking, 198.18.0.0/15; reserved, 240.0.0.0/4.
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // Unique local fc00::/7, link-local fe80::/10, documentation
        // 2001:db8::/32, NAT64 64:ff9b::/96 (it reaches IPv4 space).
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        || (first == 0x0064 && ip.segments()[1] == 0xff9b))
}

/// Refuses a URL whose host is an IP literal (or `localhost`) that is not
/// public. Names are checked when they are resolved.
pub fn check_url_host(url: &Url, what: &str) -> Result<(), String> {
    let refused = |host: &str| {
        Err(format!(
            "{what}: {host} is a loopback, private or link-local address; the service calls \
             only public addresses unless the server's registration sets \
             allow_private_addresses"
        ))
    };
    match url.host() {
        Some(Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => refused(&ip.to_string()),
        Some(Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => refused(&ip.to_string()),
        Some(Host::Domain(name))
            if name.eq_ignore_ascii_case("localhost")
                || name.to_ascii_lowercase().ends_with(".localhost") =>
        {
            refused(name)
        }
        _ => Ok(()),
    }
}

/// The addresses `host` resolves to, public ones only; an error naming the
/// host when every one of them is private.
pub async fn public_addresses(host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
    let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .collect();
    let public: Vec<SocketAddr> = resolved
        .iter()
        .copied()
        .filter(|a| is_public(a.ip()))
        .collect();
    if public.is_empty() && !resolved.is_empty() {
        return Err(format!(
            "{host} resolves to a loopback, private or link-local address ({}); the service calls \
             only public addresses unless the server's registration sets allow_private_addresses",
            resolved[0].ip()
        ));
    }
    Ok(public)
}

/// A resolver for reqwest that hands out public addresses only.
#[derive(Debug, Default, Clone, Copy)]
pub struct PublicOnly;

impl PublicOnly {
    pub fn shared() -> Arc<Self> {
        Arc::new(Self)
    }
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addresses = public_addresses(&host, 0).await?;
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_and_link_local_addresses_are_not_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
        ] {
            let ip: IpAddr = private.parse().unwrap();
            assert!(!is_public(ip), "{private}");
        }
        for public in ["8.8.8.8", "151.101.1.1", "2606:4700::1111", "172.32.0.1"] {
            let ip: IpAddr = public.parse().unwrap();
            assert!(is_public(ip), "{public}");
        }
    }

    #[test]
    fn urls_naming_private_hosts_are_refused_by_name() {
        for url in [
            "http://127.0.0.1:8080/fhir",
            "http://[::1]/fhir",
            "https://169.254.169.254/latest/meta-data",
            "http://localhost:8080/fhir",
            "http://api.localhost/fhir",
        ] {
            let why = check_url_host(&Url::parse(url).unwrap(), "base_url").unwrap_err();
            assert!(why.starts_with("base_url: "), "{why}");
            assert!(why.contains("allow_private_addresses"), "{why}");
        }
        check_url_host(
            &Url::parse("https://fhir.example.org/r4").unwrap(),
            "base_url",
        )
        .unwrap();
    }

    #[tokio::test]
    async fn names_that_resolve_only_to_private_addresses_are_refused() {
        let why = public_addresses("localhost", 80).await.unwrap_err();
        assert!(why.contains("localhost resolves to"), "{why}");
    }
}
