//! An AXI4-Lite master that carries register reads and writes to a model,
//! one transaction at a time, in the same drive/clock rhythm as
//! [`crate::axi_memory::AxiMemory`]: [`AxilMaster::drive`] gives this cycle's
//! master outputs (set them on the falling edge), [`AxilMaster::clock`] takes
//! the slave's settled outputs at the rising edge and applies handshakes.
use std::collections::VecDeque;

/// Master outputs for one cycle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AxilOut {
    pub awvalid: bool,
    pub awaddr: u32,
    pub wvalid: bool,
    pub wdata: u32,
    pub wstrb: u8,
    pub bready: bool,
    pub arvalid: bool,
    pub araddr: u32,
    pub rready: bool,
}

/// Slave outputs, sampled after the falling edge's eval.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AxilIn {
    pub awready: bool,
    pub wready: bool,
    pub bvalid: bool,
    pub bresp: u8,
    pub arready: bool,
    pub rvalid: bool,
    pub rdata: u32,
    pub rresp: u8,
}

/// A register access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Write { addr: u32, data: u32, strobes: u8 },
    Read { addr: u32 },
}

/// A finished access: for reads the data, for both the response code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Completed {
    pub access: Access,
    pub data: u32,
    pub resp: u8,
}

#[derive(Default)]
pub struct AxilMaster {
    queue: VecDeque<Access>,
    aw_done: bool,
    w_done: bool,
    ar_done: bool,
    completed: VecDeque<Completed>,
}

impl AxilMaster {
    pub fn write(&mut self, addr: u32, data: u32) {
        self.queue.push_back(Access::Write {
            addr,
            data,
            strobes: 0xF,
        });
    }

    pub fn write_strobed(&mut self, addr: u32, data: u32, strobes: u8) {
        self.queue.push_back(Access::Write {
            addr,
            data,
            strobes,
        });
    }

    pub fn read(&mut self, addr: u32) {
        self.queue.push_back(Access::Read { addr });
    }

    pub fn is_idle(&self) -> bool {
        self.queue.is_empty()
    }

    /// Finished accesses, oldest first; takes them.
    pub fn take_completed(&mut self) -> Vec<Completed> {
        self.completed.drain(..).collect()
    }

    pub fn drive(&self) -> AxilOut {
        let mut out = AxilOut::default();
        match self.queue.front() {
            Some(&Access::Write {
                addr,
                data,
                strobes,
            }) => {
                out.awvalid = !self.aw_done;
                out.awaddr = addr;
                out.wvalid = !self.w_done;
                out.wdata = data;
                out.wstrb = strobes;
                out.bready = self.aw_done && self.w_done;
            }
            Some(&Access::Read { addr }) => {
                out.arvalid = !self.ar_done;
                out.araddr = addr;
                out.rready = self.ar_done;
            }
            None => {}
        }
        out
    }

    pub fn clock(&mut self, out: &AxilOut, slave: &AxilIn) {
        let Some(&access) = self.queue.front() else {
            return;
        };
        match access {
            Access::Write { .. } => {
                if out.bready && slave.bvalid {
                    self.finish(Completed {
                        access,
                        data: 0,
                        resp: slave.bresp,
                    });
                    return;
                }
                self.aw_done |= out.awvalid && slave.awready;
                self.w_done |= out.wvalid && slave.wready;
            }
            Access::Read { .. } => {
                if out.rready && slave.rvalid {
                    self.finish(Completed {
                        access,
                        data: slave.rdata,
                        resp: slave.rresp,
                    });
                    return;
                }
                self.ar_done |= out.arvalid && slave.arready;
            }
        }
    }

    fn finish(&mut self, done: Completed) {
        self.queue.pop_front();
        self.aw_done = false;
        self.w_done = false;
        self.ar_done = false;
        self.completed.push_back(done);
    }
}
