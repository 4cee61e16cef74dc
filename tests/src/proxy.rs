//! A fault-injecting TCP proxy, to put between a client and the emulator: it forwards bytes
//! both ways until told to stop forwarding without closing (a half-open connection, as when a
//! NAT or load balancer drops its state), to delay one direction, to reset (RST) or to close
//! (FIN) the connections it carries.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// What a connection does with the bytes it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Forward,
    /// Read and drop both ways; keep the sockets open.
    Blackhole,
    /// Close both sockets with RST.
    Reset,
    /// Close both sockets with FIN.
    Close,
}

struct Connection {
    mode: watch::Sender<Mode>,
}

#[derive(Default)]
struct State {
    connections: Vec<Connection>,
    /// New connections start blackholed.
    blackhole_new: bool,
    /// Bytes from the server to the client wait this long.
    downstream_delay: Duration,
}

/// See the module documentation. Stops when dropped.
pub struct FaultProxy {
    address: SocketAddr,
    state: Arc<Mutex<State>>,
    accept: JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.set_all(Mode::Close);
    }
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl FaultProxy {
    /// Listens on a free port of 127.0.0.1 and forwards every connection to `upstream`.
    pub async fn start(upstream: SocketAddr) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let address = listener.local_addr().expect("bound");
        let state = Arc::new(Mutex::new(State::default()));
        let accept_state = Arc::clone(&state);
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(upstream).await else {
                    // The server is down: the client sees its connection reset.
                    let _ = socket2::SockRef::from(&client).set_linger(Some(Duration::ZERO));
                    continue;
                };
                let (mode, delay) = {
                    let mut state = lock(&accept_state);
                    state.connections.retain(|c| !c.mode.is_closed());
                    let start = if state.blackhole_new {
                        Mode::Blackhole
                    } else {
                        Mode::Forward
                    };
                    let (mode, _) = watch::channel(start);
                    let receiver = mode.subscribe();
                    state.connections.push(Connection { mode });
                    (receiver, state.downstream_delay)
                };
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                tokio::spawn(carry(client, server, mode, delay));
            }
        });
        FaultProxy {
            address,
            state,
            accept,
        }
    }

    /// The address clients connect to.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The REST endpoint through the proxy, for an emulator behind it.
    pub fn endpoint(&self) -> String {
        format!("http://{}/v1", self.address)
    }

    fn set_all(&self, mode: Mode) {
        let mut state = lock(&self.state);
        for connection in &state.connections {
            let _ = connection.mode.send(mode);
        }
        if matches!(mode, Mode::Reset | Mode::Close) {
            state.connections.clear();
        }
    }

    /// The connections open now stop forwarding in both directions and stay open; new
    /// connections work.
    pub fn blackhole_open_connections(&self) {
        self.set_all(Mode::Blackhole);
    }

    /// New connections are accepted but forward nothing, until set back to `false`.
    pub fn blackhole_new_connections(&self, on: bool) {
        lock(&self.state).blackhole_new = on;
    }

    /// Every open connection is reset (RST), as by a crashed middlebox.
    pub fn reset_all(&self) {
        self.set_all(Mode::Reset);
    }

    /// Every open connection is closed (FIN), as by a proxy that restarts politely.
    pub fn close_all(&self) {
        self.set_all(Mode::Close);
    }

    /// Bytes from the server to the client of connections opened from now on arrive `delay`
    /// late (in order).
    pub fn delay_downstream(&self, delay: Duration) {
        lock(&self.state).downstream_delay = delay;
    }

    /// How many connections are open.
    pub fn open_connections(&self) -> usize {
        let mut state = lock(&self.state);
        state.connections.retain(|c| !c.mode.is_closed());
        state.connections.len()
    }
}

/// Whether `mode` ends the connection; for a reset, first makes closing `socket` send RST.
fn ends(mode: Mode, socket: &TcpStream) -> bool {
    if mode == Mode::Reset {
        let _ = socket2::SockRef::from(socket).set_linger(Some(Duration::ZERO));
    }
    matches!(mode, Mode::Reset | Mode::Close)
}

/// Carries one connection both ways until it ends or the mode ends it.
async fn carry(
    client: TcpStream,
    server: TcpStream,
    mode: watch::Receiver<Mode>,
    downstream_delay: Duration,
) {
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let up = tokio::spawn(pump(client_read, server_write, mode.clone(), Duration::ZERO));
    let down = tokio::spawn(pump(server_read, client_write, mode, downstream_delay));
    let _ = tokio::join!(up, down);
}

/// Copies `from` to `to` while the mode forwards. Returns when either side ends or the mode
/// closes the connection; a reset sets a zero linger first so that closing sends RST.
async fn pump(mut from: OwnedReadHalf, to: OwnedWriteHalf, mut mode: watch::Receiver<Mode>, delay: Duration) {
    // Delayed bytes go through a queue to a writer, so that a delay does not slow the reader.
    let (queue, mut queued) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let mut writer_mode = mode.clone();
    let writer = tokio::spawn(async move {
        let mut to = to;
        let mut reset = false;
        loop {
            tokio::select! {
                item = queued.recv() => {
                    let Some((at, bytes)) = item else { break };
                    tokio::time::sleep_until(at).await;
                    if *writer_mode.borrow() != Mode::Forward {
                        continue;
                    }
                    if to.write_all(&bytes).await.is_err() {
                        break;
                    }
                }
                changed = writer_mode.changed() => {
                    let mode = changed.map_or(Mode::Close, |()| *writer_mode.borrow());
                    if ends(mode, to.as_ref()) {
                        reset = mode == Mode::Reset;
                        break;
                    }
                }
            }
        }
        if !reset {
            let _ = to.shutdown().await;
        }
    });
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        tokio::select! {
            read = from.read(&mut buffer) => match read {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if *mode.borrow() == Mode::Forward && queue.send((Instant::now() + delay, buffer[..n].to_vec())).is_err() {
                        break;
                    }
                }
            },
            changed = mode.changed() => {
                let now = changed.map_or(Mode::Close, |()| *mode.borrow());
                if ends(now, from.as_ref()) {
                    break;
                }
            }
        }
    }
    drop(queue);
    let _ = writer.await;
}
