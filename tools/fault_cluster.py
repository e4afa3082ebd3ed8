"""The processes of tools/fault_probe.py: a coordinator and workers from the Release build, their logs, their memory
(/proc), the coordinator's progress (its Prometheus endpoint) and the run's summary; and Linux network namespaces
joined by a bridge, so that one node's link can be cut while the others keep theirs."""
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COORDINATOR_DLL = os.path.join(REPO, "Coordinator/bin/Release/net10.0/DistTrainer.Coordinator.dll")
WORKER_DLL = os.path.join(REPO, "Worker/bin/Release/net10.0/DistTrainer.Worker.dll")
# The job every scenario trains: the default MLP on Fashion-MNIST, small enough steps to see many of them.
JOB = ["--layers", "linear:784:128,relu,linear:128:10", "--optimizer", "adam", "--lr", "0.001",
       "--batch-size", "128", "--threads", "1", "--shard-deadline", "5"]


class Unsupported(Exception):
    """The scenario cannot run on this machine; the message says why."""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Node:
    """One process we started: its name, its log file, and signals sent by its PID only."""

    def __init__(self, name, command, log_path, metrics_port=None):
        self.name, self.log_path, self.metrics_port = name, log_path, metrics_port
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT, cwd=REPO)

    def signal(self, name):
        if self.process.poll() is None:
            os.kill(self.process.pid, getattr(signal, "SIG" + name))

    def kill(self):
        self.signal("KILL")
        self.process.wait()

    def wait(self, timeout):
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def rss_mb(self):
        try:
            with open(f"/proc/{self.process.pid}/status", encoding="ascii") as status:
                kb = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
            return kb // 1024
        except (OSError, StopIteration):
            return 0

    def log_text(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as log:
            return log.read()


def make_certs(directory):
    """A private CA and the certificates of the coordinator, of a standby coordinator and of the workers (they share one)
    in directory."""
    script = os.path.join(REPO, "deploy", "make-certs.sh")
    try:
        subprocess.run(["bash", script, directory, "coordinator", "coordinator-standby", "worker"], check=True,
                       capture_output=True)
    except (OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", b"") or b""
        raise Unsupported(f"cannot make TLS certificates ({error}; {detail.decode(errors='replace').strip()}); "
                          "--plaintext runs without them") from error
    return directory


class Cluster:
    """Starts nodes on one machine (loopback, or the bridge of NamespaceLinks) and ends every one of them on exit.
    With tls (the default), every node runs both planes over mutual TLS with certificates from deploy/make-certs.sh,
    as a cluster off loopback must; without it, nodes run in clear (--insecure off loopback)."""

    def __init__(self, work, tls=True):
        for dll in (COORDINATOR_DLL, WORKER_DLL):
            if not os.path.exists(dll):
                raise Unsupported(f"{dll} is missing: build first (dotnet build DistTrainer.sln -c Release)")
        self.work = work
        self.certs = make_certs(os.path.join(work, "certs")) if tls else None
        self.akka_port, self.data_port, self.metrics_port = free_port(), free_port(), free_port()
        self.host, self.links = "127.0.0.1", None
        self.workers, self._nodes, self._starts = {}, [], 0
        # A worker started once a standby runs joins through either coordinator, as the compose file's do.
        self.standby_akka_port = None
        # Whether the coordinators' seed nodes list the standby's address after the first coordinator's (list_standby_seed).
        self.standby_in_seeds = False
        # The coordinators' --worker-timeout: how long a node waits for the workers it expects (a scenario may shorten it).
        self.worker_timeout = 120
        self.summary = os.path.join(work, "summary.json")
        self.checkpoint = os.path.join(work, "model.safetensors")
        self.reference = os.path.join(work, "undisturbed.safetensors")
        # The coordinators' structured logs (information and up; their consoles show warnings only).
        self.log_dir = os.path.join(work, "logs")

    def __enter__(self):
        return self

    def __exit__(self, *_):
        for node in self._nodes:
            node.kill()

    def use_addresses(self, coordinator_host, links):
        self.host, self.links = coordinator_host, links

    @property
    def seed(self):
        return f"akka.tcp://disttrainer@{self.host}:{self.akka_port}"

    def _seeds_with_standby(self):
        """The first coordinator's address, then the standby's once it has one: what workers join through, and coordinators
        too after list_standby_seed."""
        if self.standby_akka_port is None:
            return self.seed
        return f"{self.seed},akka.tcp://disttrainer@{self.host}:{self.standby_akka_port}"

    def list_standby_seed(self):
        """Before any node starts: the standby's address is chosen now, and every coordinator lists it after the first
        coordinator's, as the compose file's do. The first coordinator restarted after the standby took over then finds the
        run at that address and stands by for it."""
        self.standby_akka_port = free_port()
        self.standby_in_seeds = True

    def _security(self, name):
        if self.certs is not None:
            return ["--tls-ca", os.path.join(self.certs, "ca.crt"), "--tls-cert", os.path.join(self.certs, f"{name}.crt"),
                    "--tls-key", os.path.join(self.certs, f"{name}.key")]
        return [] if self.host == "127.0.0.1" else ["--insecure"]

    def _start(self, name, command, metrics_port=None):
        self._starts += 1
        node = Node(name, command, os.path.join(self.work, f"{self._starts:02d}-{name}.log"), metrics_port)
        self._nodes.append(node)
        return node

    def start_coordinator(self, steps, checkpoint_every=None, resume=False, options=(), own_data_port=False):
        """`options`: more of the coordinator's options, on top of the job's (they must not change its arithmetic: the
        final checkpoint is checked against the job trained without them). `own_data_port`: a data-plane port of its own,
        not the one a standby takes over (on two hosts both coordinators would have the same port; on this one, a
        coordinator that founds a cluster while a standby takes the run over would hold the standby's port)."""
        return self._start("coordinator", self._coordinator_command(steps, checkpoint_every, resume, self.akka_port,
                                                                    self.metrics_port, "coordinator",
                                                                    data_port=free_port() if own_data_port else None) + list(options),
                           self.metrics_port)

    def start_standby(self, steps, checkpoint_every, options=(), save=True):
        """A second `coordinator` with the same job, seed node and data-plane port, on Akka and metrics ports of its own:
        not being the first seed node, it stands by (it binds the data-plane port only once it takes over). Without `save` it
        has no file to keep the active coordinator's state in, so it never registers with it: the active coordinator does
        not know it."""
        metrics_port = free_port()
        if not self.standby_in_seeds:
            self.standby_akka_port = free_port()
        # --checkpoint-every needs the --save file it rewrites.
        checkpoint_every = checkpoint_every if save else None
        return self._start("standby", self._coordinator_command(steps, checkpoint_every, False, self.standby_akka_port, metrics_port,
                                                                "coordinator-standby", save) + list(options), metrics_port)

    def _coordinator_command(self, steps, checkpoint_every, resume, akka_port, metrics_port, certificate, save=True, data_port=None):
        command = ["dotnet", COORDINATOR_DLL, "coordinator", *JOB, "--steps", str(steps), "--seed", "3",
                   "--hostname", self.host, "--port", str(akka_port),
                   "--seed-nodes", self._seeds_with_standby() if self.standby_in_seeds else self.seed,
                   "--data-plane-port", str(data_port or self.data_port), "--metrics-port", str(metrics_port),
                   "--expect-workers", "2", "--worker-timeout", str(self.worker_timeout), "--summary", self.summary, "--log-dir", self.log_dir, *self._security(certificate)]
        if save:
            command += ["--save", self.checkpoint]
        if checkpoint_every:
            command += ["--checkpoint-every", str(checkpoint_every)]
        if resume and os.path.exists(self.checkpoint):
            command += ["--resume", self.checkpoint]
        return command

    def start_worker(self, name, namespace=None, role="worker"):
        """`role` ps: a node that serves the key ranges a coordinator places on it (--ps-placement ps-nodes), computing nothing."""
        host = self.host if namespace is None else self.links.worker_address(namespace)
        command = ["dotnet", WORKER_DLL, "worker", "--hostname", host, "--port", str(free_port()),
                   "--seed-nodes", self._seeds_with_standby(), "--threads", "1", "--worker-id", name, "--role", role,
                   "--registration-timeout", "300", *self._security("worker")]
        if namespace is not None:
            command = self.links.inside(namespace) + command
        self.workers[name] = self._start(name, command)
        return self.workers[name]

    @staticmethod
    def _metric(coordinator, name):
        """One sample of the coordinator's Prometheus endpoint; None while it does not answer, 0 before it is set."""
        if coordinator.process.poll() is not None:
            return None
        try:
            url = f"http://127.0.0.1:{coordinator.metrics_port}/metrics"
            with urllib.request.urlopen(url, timeout=2) as response:
                text = response.read().decode()
        except OSError:
            return None
        found = re.search(rf"^{name} (\S+)$", text, re.M)
        return float(found.group(1)) if found else 0

    def applied(self, coordinator):
        """Steps the coordinator's process has applied (its Prometheus counter); None while it does not answer."""
        value = self._metric(coordinator, "disttrainer_steps_applied_total")
        return None if value is None else int(value)

    def managed_heap_mb(self, coordinator):
        """The coordinator's managed heap when its last full collection ended (live objects and fragmentation), and
        what the collector has committed, in MB: RSS that grows while these stay flat is not a leak of objects."""
        after_full = self._metric(coordinator, "disttrainer_gc_heap_after_full_collection_bytes")
        committed = self._metric(coordinator, "disttrainer_gc_committed_bytes")
        return tuple(None if value is None else int(value) >> 20 for value in (after_full, committed))

    def wait_for_step(self, coordinator, step, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (self.applied(coordinator) or 0) >= step:
                return
            if coordinator.process.poll() is not None:
                raise RuntimeError(f"the coordinator exited ({coordinator.process.returncode}) before step {step}")
            time.sleep(0.5)
        raise RuntimeError(f"the coordinator did not reach step {step} within {timeout} s; see {coordinator.log_path}")

    def wait_for_steps_after(self, coordinator, more, timeout=180):
        # A live coordinator's metrics can miss a read under load: ask again rather than measure before the steps. A process
        # that has ended has no steps to wait for; the readings taken next say so.
        deadline = time.monotonic() + timeout
        while (now := self.applied(coordinator)) is None and coordinator.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
        if now is not None:
            self.wait_for_step(coordinator, now + more, max(1, deadline - time.monotonic()))

    @staticmethod
    def rss_peak_while(node, seconds):
        peak, end = 0, time.monotonic() + seconds
        while time.monotonic() < end:
            peak = max(peak, node.rss_mb())
            time.sleep(0.5)
        return peak

    @staticmethod
    def rss_settled(node, seconds=5):
        samples = []
        for _ in range(int(seconds * 2)):
            samples.append(node.rss_mb())
            time.sleep(0.5)
        samples = [rss for rss in samples if rss > 0] or [0]
        return sorted(samples)[len(samples) // 2]

    @staticmethod
    def _wait(node, found, timeout):
        """The time at which `found()` first holds; None if it does not, within `timeout` or before the node's process
        exits."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if found():
                return time.monotonic()
            if node.process.poll() is not None:
                return time.monotonic() if found() else None
            time.sleep(0.5)
        return None

    @staticmethod
    def wait_for_log(node, text, timeout, skip=0):
        """The time at which `text` appears in the node's log for the (skip + 1)-th time; None if it does not, within
        `timeout` or before the node's process exits."""
        return Cluster._wait(node, lambda: node.log_text().count(text) > skip, timeout)

    def wait_for_event(self, node, text, timeout):
        """The time at which an event whose message template holds `text` appears in the node's structured log (its
        --log-dir file, named by its process id); None as for wait_for_log. What a node logs at Information and below
        reaches that file only."""
        suffix = f"-{node.process.pid}.json"

        def found():
            for name in os.listdir(self.log_dir) if os.path.isdir(self.log_dir) else []:
                if name.endswith(suffix):
                    with open(os.path.join(self.log_dir, name), encoding="utf-8", errors="replace") as file:
                        if any(text in line for line in file):
                            return True
            return False

        return self._wait(node, found, timeout)

    def coordinator_log_tails(self, events=15):
        """The last `events` of each coordinator process's structured log, rendered one a line, debug events and Akka's
        own information left out: printed with a failure, so that a run whose work folder is gone still says what its
        coordinators did."""
        tails = {}
        for name in sorted(os.listdir(self.log_dir)) if os.path.isdir(self.log_dir) else []:
            lines = []
            with open(os.path.join(self.log_dir, name), encoding="utf-8", errors="replace") as file:
                for line in file:
                    try:
                        event = json.loads(line)
                    except ValueError:
                        continue
                    level = event.get("@l", "Information")
                    if level in ("Debug", "Verbose") or ("SourceContext" in event and level == "Information"):
                        continue
                    text = re.sub(r"\{(\w+)(:[^}]*)?\}", lambda m: str(event.get(m.group(1), m.group(0))), event.get("@mt", ""))
                    lines.append(f"{event.get('@t', '')[11:23]} {level[:3]} {text[:240]}")
            tails[name] = lines[-events:]
        return tails

    def run_problems(self, coordinator, code, planned, fault_lost_a_worker):
        """What is wrong with the run's end: its exit code and the summary's account of the steps applied."""
        if code != 0:
            return [f"the coordinator exited {code}; see {coordinator.log_path}"]
        try:
            with open(self.summary, encoding="utf-8") as file:
                summary = json.load(file)
        except (OSError, ValueError) as error:
            return [f"no readable summary: {error}"]
        cluster = summary["cluster"]
        first, last = cluster["first_applied_step"], cluster["last_applied_step"]
        found = []
        if last != planned:
            found.append(f"last applied step {last}, planned {planned}")
        if not cluster["applied_steps"] == cluster["distinct_applied_steps"] == last - first + 1:
            found.append(f"steps {first}..{last} applied {cluster['applied_steps']} times, "
                         f"{cluster['distinct_applied_steps']} distinct")
        if summary.get("failure"):
            found.append(f"failure: {summary['failure']}")
        if fault_lost_a_worker and not cluster["workers_lost"]:
            found.append("no worker counted as lost, though the fault should have cost one")
        return found + self._reference_problems(planned)

    def _reference_problems(self, planned):
        """The run's final checkpoint against the same job trained undisturbed (the embedded cluster, 2 workers, the
        same seed): a fault may cost time, never a bit of the weights, the optimizer's state or the running statistics."""
        command = ["dotnet", COORDINATOR_DLL, "train", *JOB, "--workers", "2", "--steps", str(planned), "--seed", "3",
                   "--save", self.reference, "--summary", os.path.join(self.work, "undisturbed-summary.json")]
        with open(os.path.join(self.work, "undisturbed.log"), "wb") as log:
            if subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, cwd=REPO).returncode != 0:
                return [f"the undisturbed run failed; see {log.name}"]
        try:
            ours, theirs = read_tensors(self.checkpoint), read_tensors(self.reference)
        except (OSError, ValueError) as error:
            return [f"cannot read a final checkpoint: {error}"]
        differing = sorted(name for name in theirs.keys() | ours.keys() if ours.get(name) != theirs.get(name))
        return [f"final checkpoint differs from the undisturbed run's in {len(differing)} tensors "
                f"({', '.join(differing[:4])})"] if differing else []


def read_tensors(path):
    """A safetensors file's tensors, by name, as their raw bytes (the header's metadata left out)."""
    with open(path, "rb") as file:
        data = file.read()
    length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    return {name: body[entry["data_offsets"][0]:entry["data_offsets"][1]]
            for name, entry in header.items() if name != "__metadata__"}


class NamespaceLinks:
    """A bridge on the host (the coordinator's address) and one network namespace per worker, each joined to the
    bridge by a veth pair; cutting a worker's link takes its host end down."""

    BRIDGE, PREFIX = "dtfp0", "10.78.0"

    def __init__(self, count):
        if os.geteuid() != 0:
            raise Unsupported("network namespaces need root")
        self.count = count
        try:
            self._ip("link", "add", self.BRIDGE, "type", "bridge")
            self._ip("addr", "add", f"{self.coordinator_address}/24", "dev", self.BRIDGE)
            self._ip("link", "set", self.BRIDGE, "up")
            for i in range(count):
                namespace, host_end, inner_end = f"dtfp-w{i}", f"dtfp-h{i}", f"dtfp-n{i}"
                self._ip("netns", "add", namespace)
                self._ip("link", "add", host_end, "type", "veth", "peer", "name", inner_end)
                self._ip("link", "set", inner_end, "netns", namespace)
                self._ip("link", "set", host_end, "master", self.BRIDGE)
                self._ip("link", "set", host_end, "up")
                inside = ["ip", "netns", "exec", namespace, "ip"]
                for args in (["addr", "add", f"{self.worker_address(i)}/24", "dev", inner_end],
                             ["link", "set", inner_end, "up"], ["link", "set", "lo", "up"]):
                    subprocess.run(inside + args, check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError) as error:
            self.remove()
            raise Unsupported(f"cannot make network namespaces here: {error}") from error

    @property
    def coordinator_address(self):
        return f"{self.PREFIX}.1"

    def worker_address(self, i):
        return f"{self.PREFIX}.{11 + i}"

    @staticmethod
    def inside(i):
        return ["ip", "netns", "exec", f"dtfp-w{i}"]

    def cut(self, i):
        self._ip("link", "set", f"dtfp-h{i}", "down")

    def restore(self, i):
        self._ip("link", "set", f"dtfp-h{i}", "up")

    def remove(self):
        for i in range(self.count):
            subprocess.run(["ip", "link", "del", f"dtfp-h{i}"], capture_output=True)
            subprocess.run(["ip", "netns", "del", f"dtfp-w{i}"], capture_output=True)
        subprocess.run(["ip", "link", "del", self.BRIDGE], capture_output=True)

    @staticmethod
    def _ip(*args):
        subprocess.run(["ip", *args], check=True, capture_output=True)
