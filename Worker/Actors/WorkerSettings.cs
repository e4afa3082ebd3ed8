using DistTrainer.Cluster.Metrics;

namespace DistTrainer.Worker.Actors;

/// <summary>
/// How a worker node runs: its id, the model it expects (if it was told one), where it reads data
/// when the coordinator's path does not apply here, its compute backend, and how long it keeps
/// trying to register before it gives up. The waits every worker node shares are in
/// <see cref="Hosting.WorkerNodeSettings"/>. <see cref="Metrics"/>, when set, counts what it computes and sends.
/// <see cref="RangesOnly"/>: a node of role ps (`worker --role ps`), which serves the key ranges the coordinator places on it
/// (--ps-placement ps-nodes) and computes nothing.
/// <see cref="RegisteringSince"/>: when the registration timeout began, if before this node started (a fresh node of
/// <see cref="Hosting.RejoiningWorker"/> carries its predecessors' time on); null: at the node's start.
/// </summary>
public sealed record WorkerSettings(
    string WorkerId,
    string? ExpectedLayers,
    string? DataDir,
    string Device,
    int Threads,
    TimeSpan RegistrationTimeout,
    WorkerMetrics? Metrics = null,
    int RangeHostPort = 0,
    bool RangesOnly = false,
    DateTime? RegisteringSince = null);
