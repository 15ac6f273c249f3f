//! The server as a process of its own (`--apart BIN`): `tongchou serve` on the seeded
//! database, driven over loopback, so that its memory is measured without the load
//! generator's (the ≤ 60 MB target is the server's).

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Apart {
    child: Child,
    pub base: String,
    stopped: bool,
}

/// A run that ends early (an error in the load) still stops the server it started.
impl Drop for Apart {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Apart {
    /// Starts `bin serve` on `url` with the platform key `key`, the rate limits opened (the
    /// load comes from one address with a few tokens), and waits until it answers.
    pub fn start(bin: &Path, url: &str, key: &Path, log: &Path) -> Result<Apart> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let addr = format!("127.0.0.1:{port}");
        let out = std::fs::File::create(log)?;
        let child = Command::new(bin)
            .args(["serve", "--db", url, "--listen", &addr])
            .arg("--key-file")
            .arg(key)
            .args(["--login-rate-per-address", "100000"])
            .args(["--login-rate-per-account", "100000"])
            .args(["--api-rate-per-token", "4000000000"])
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let mut me = Apart {
            child,
            base: format!("http://{addr}"),
            stopped: false,
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(&addr).is_err() {
            if let Some(status) = me.child.try_wait()? {
                bail!("the server stopped ({status}); see {}", log.display());
            }
            if started.elapsed() > Duration::from_secs(120) {
                me.stop();
                bail!(
                    "the server did not answer within 120 s; see {}",
                    log.display()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        crate::mem::watch(me.child.id());
        println!(
            "server apart: {} serve on {addr} (pid {}), up in {:.1} s",
            bin.display(),
            me.child.id(),
            started.elapsed().as_secs_f64()
        );
        Ok(me)
    }

    /// Asks the server to stop (SIGTERM: it drains) and waits for it.
    pub fn stop(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}
