//! The operating system's network-change signal.
//!
//! While a target cannot be reached, the engine probes it on a short
//! interval ([`crate::DrainOptions::probe_interval`]). Where the OS tells
//! about network changes, waiting also ends as soon as one arrives, so a
//! link that comes back (a cable plugged in, Wi-Fi joined, an address
//! assigned) is tried at once instead of at the next probe.
//!
//! - Linux: a `NETLINK_ROUTE` socket subscribed to link, address and route
//!   changes (IPv4 and IPv6); no privileges needed.
//! - Elsewhere (macOS, Windows): no signal yet; [`NetworkWatch::open`]
//!   returns `None` and the probe interval alone applies.

use std::time::Duration;

/// A subscription to the OS's network-change notifications.
pub struct NetworkWatch {
    #[cfg(target_os = "linux")]
    socket: std::os::fd::OwnedFd,
}

impl std::fmt::Debug for NetworkWatch {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("NetworkWatch")
    }
}

impl NetworkWatch {
    /// Subscribes, or `None` where the OS offers no signal (or the socket
    /// cannot be opened, e.g. in a sandbox): callers then just sleep.
    pub fn open() -> Option<NetworkWatch> {
        imp::open()
    }

    /// Waits up to `timeout`; true as soon as the network changed (every
    /// notification queued so far is consumed), false on timeout.
    pub fn wait(&self, timeout: Duration) -> bool {
        imp::wait(self, timeout)
    }
}

/// Sleeps `timeout`, ending early on a network change when `watch` is set.
pub fn wait_or_sleep(watch: Option<&NetworkWatch>, timeout: Duration) -> bool {
    match watch {
        Some(watch) => watch.wait(timeout),
        None => {
            std::thread::sleep(timeout);
            false
        }
    }
}

#[cfg(target_os = "linux")]
mod imp {
    use super::NetworkWatch;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::time::{Duration, Instant};

    // <linux/rtnetlink.h> multicast groups (legacy bitmask form).
    const RTMGRP_LINK: u32 = 0x1;
    const RTMGRP_IPV4_IFADDR: u32 = 0x10;
    const RTMGRP_IPV4_ROUTE: u32 = 0x40;
    const RTMGRP_IPV6_IFADDR: u32 = 0x100;
    const RTMGRP_IPV6_ROUTE: u32 = 0x400;

    pub fn open() -> Option<NetworkWatch> {
        // SAFETY: plain socket(2)/bind(2) calls on a fresh descriptor that
        // is owned (and closed) by the returned OwnedFd.
        unsafe {
            let fd = libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
                libc::NETLINK_ROUTE,
            );
            if fd < 0 {
                return None;
            }
            let socket = OwnedFd::from_raw_fd(fd);
            let mut address: libc::sockaddr_nl = std::mem::zeroed();
            address.nl_family = libc::AF_NETLINK as libc::sa_family_t;
            address.nl_groups = RTMGRP_LINK
                | RTMGRP_IPV4_IFADDR
                | RTMGRP_IPV4_ROUTE
                | RTMGRP_IPV6_IFADDR
                | RTMGRP_IPV6_ROUTE;
            let bound = libc::bind(
                socket.as_raw_fd(),
                std::ptr::addr_of!(address).cast::<libc::sockaddr>(),
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            );
            if bound != 0 {
                return None;
            }
            Some(NetworkWatch { socket })
        }
    }

    pub fn wait(watch: &NetworkWatch, timeout: Duration) -> bool {
        let fd = watch.socket.as_raw_fd();
        let until = Instant::now() + timeout;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            let millis = i32::try_from(left.as_millis()).unwrap_or(i32::MAX);
            let mut poll = libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd for the duration of the call.
            let ready = unsafe { libc::poll(&mut poll, 1, millis) };
            if ready > 0 {
                drain(fd);
                return true;
            }
            if ready == 0 || left.is_zero() {
                return false;
            }
            // EINTR: wait for the rest of the time.
            if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
                std::thread::sleep(left);
                return false;
            }
        }
    }

    /// Reads every queued notification (their content does not matter:
    /// any change is a reason to probe).
    fn drain(fd: i32) {
        let mut buffer = [0u8; 8192];
        loop {
            // SAFETY: the buffer outlives the call and its length is passed.
            let read = unsafe {
                libc::recv(
                    fd,
                    buffer.as_mut_ptr().cast::<libc::c_void>(),
                    buffer.len(),
                    libc::MSG_DONTWAIT,
                )
            };
            if read <= 0 {
                break;
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use super::NetworkWatch;
    use std::time::Duration;

    pub fn open() -> Option<NetworkWatch> {
        None
    }

    pub fn wait(_watch: &NetworkWatch, timeout: Duration) -> bool {
        std::thread::sleep(timeout);
        false
    }
}
