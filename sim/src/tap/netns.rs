//! A Linux network namespace for the kernel side of a TAP link, so that
//! nothing touches the host's own networking: the TAP device and the Linux
//! side's address live inside it, and programs run in it with
//! `ip netns exec NAME ...`.
//!
//! Invariant: a namespace this module created is deleted when its
//! [`Netns`] is dropped (every exit path, panics included); a namespace the
//! user named (`--netns`) is only borrowed and left as it was found, apart
//! from the TAP device, which goes away with synack.

use std::io;
use std::process::{Command, Output};

use thiserror::Error;

/// Why the namespace could not be set up.
#[derive(Debug, Error)]
pub enum NetnsError {
    #[error(
        "`{cmd}` could not be run ({source}); install iproute2 (`apt-get install iproute2`) and run as root"
    )]
    Spawn {
        cmd: String,
        #[source]
        source: io::Error,
    },
    #[error("`{cmd}` failed: {stderr}{hint}")]
    Failed {
        cmd: String,
        stderr: String,
        hint: &'static str,
    },
    #[error(
        "network namespace `{0}` does not exist; create it with `ip netns add {0}` or leave out --netns"
    )]
    Missing(String),
    #[error("`{0}` is not a valid namespace name (letters, digits, '-', '_', '.', at most 32)")]
    BadName(String),
}

/// Run a command, turning failure into an error that quotes it.
pub fn run(args: &[&str]) -> Result<Output, NetnsError> {
    let cmd = args.join(" ");
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .map_err(|source| NetnsError::Spawn {
            cmd: cmd.clone(),
            source,
        })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        let hint =
            if stderr.contains("Operation not permitted") || stderr.contains("Permission denied") {
                " (needs root, or CAP_NET_ADMIN and CAP_SYS_ADMIN)"
            } else {
                ""
            };
        return Err(NetnsError::Failed { cmd, stderr, hint });
    }
    Ok(out)
}

/// A network namespace, created (and later deleted) or borrowed.
#[derive(Debug)]
pub struct Netns {
    name: String,
    owned: bool,
}

fn valid(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 32
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('.')
}

impl Netns {
    /// Create namespace `name` (with its loopback up); deleted on drop.
    pub fn create(name: &str) -> Result<Netns, NetnsError> {
        if !valid(name) {
            return Err(NetnsError::BadName(name.to_string()));
        }
        run(&["ip", "netns", "add", name])?;
        let ns = Netns {
            name: name.to_string(),
            owned: true,
        };
        ns.exec(&["ip", "link", "set", "lo", "up"])?;
        Ok(ns)
    }

    /// Use the existing namespace `name`; it is left in place on drop.
    pub fn borrow(name: &str) -> Result<Netns, NetnsError> {
        if !valid(name) {
            return Err(NetnsError::BadName(name.to_string()));
        }
        let list = run(&["ip", "netns", "list"])?;
        let text = String::from_utf8_lossy(&list.stdout);
        if !text
            .lines()
            .any(|l| l.split_whitespace().next() == Some(name))
        {
            return Err(NetnsError::Missing(name.to_string()));
        }
        Ok(Netns {
            name: name.to_string(),
            owned: false,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// `ip netns exec NAME args...`
    pub fn exec(&self, args: &[&str]) -> Result<Output, NetnsError> {
        let mut full = vec!["ip", "netns", "exec", self.name.as_str()];
        full.extend_from_slice(args);
        run(&full)
    }

    /// Move interface `dev` (in this process's namespace) into this one.
    pub fn adopt(&self, dev: &str) -> Result<(), NetnsError> {
        run(&["ip", "link", "set", "dev", dev, "netns", &self.name])?;
        Ok(())
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        if self.owned {
            // Deleting the namespace also removes the TAP inside it.
            let _ = run(&["ip", "netns", "delete", &self.name]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_names_are_checked_before_any_command_runs() {
        for bad in ["", "a b", "../x", ".hidden", "x;rm", &"n".repeat(33)] {
            assert!(
                matches!(Netns::create(bad), Err(NetnsError::BadName(_))),
                "{bad:?}"
            );
            assert!(
                matches!(Netns::borrow(bad), Err(NetnsError::BadName(_))),
                "{bad:?}"
            );
        }
        assert!(valid("synack-1234") && valid("ns_a.b"));
    }
}
