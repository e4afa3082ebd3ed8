using Akka.Actor;
using Akka.Event;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Core.Optimizers;

namespace DistTrainer.Cluster.KeyRanges;

// Messages between the step's master (the parameter server) and a key range's server (RangeServerActor). The step's
// decision stays with the master: a range server checks and keeps its range's parts, reports each one, and commits or
// discards only when the master says so (it may sum and step ahead of the master's word, beside its weights, the sum the
// master is likely to ask for: the answer is the same bits either way). Every message but the stream's hand-over is plain data, so that a
// range server can live on another node (RangeControlFrames carries them on a data-plane stream).

/// <summary>A worker's stream of this range passed the handshake; the range server admits it by the worker's token, or refuses it.</summary>
public sealed record RangeStreamConnected(TensorConnection Connection) : INoSerializationVerificationNeeded;

/// <summary>Collect the parts of attempt <paramref name="Attempt"/> of step <paramref name="Step"/>, cut into <paramref name="Shards"/> shards.</summary>
public sealed record BeginRangeStep(long Step, int Attempt, int Shards);

/// <summary>What a range's server made of a worker's part: the master puts it with the result's head and other parts.</summary>
public sealed record PartIn(string Worker, PartReport Report);

/// <summary>
/// A range's part reports since its last (each says its range): one message when every shard of the step has its part there
/// (<see cref="PartReportBatch"/> says when else), so that the master takes one frame a range a step instead of one a part.
/// </summary>
public sealed record PartsIn(PartIn[] Parts);

/// <summary>
/// The step is complete: sum shard i's part from <paramref name="Senders"/>[i], in shard order, and step the range beside its
/// weights; answered with <see cref="RangeStepped"/>. With <paramref name="Observed"/>, the answer carries the range's summed
/// gradient and new weights, for a gradient observer.
/// </summary>
public sealed record SumAndStepRange(long Step, int Attempt, string[] Senders, bool Observed);

/// <summary>
/// Range <paramref name="Range"/> summed and stepped step <paramref name="Step"/>: whether its sum was finite, and what the step
/// would leave non-finite (null: nothing). <paramref name="Streams"/>: the bytes each of its streams carried over the run (the
/// master's end of a link to the range adds the link's own as the answer arrives). <paramref name="SteppedAhead"/>: the answer
/// is the step the range took as soon as every shard's part was in, before the master asked.
/// </summary>
public sealed record RangeStepped(int Range, long Step, bool Finite, string? Refusal, StreamTraffic[] Streams,
    float[]? Gradient = null, float[]? Weights = null, bool SteppedAhead = false);

/// <summary>Every range stepped: make the step the range's and send the range's new weights on its streams.</summary>
public sealed record CommitRange(long Step);

/// <summary>The step is refused: forget it, keeping the weights and state of the step before.</summary>
public sealed record DiscardRange(long Step);

/// <summary>Send the range's weights and optimizer state as they are now; answered with <see cref="RangeGathered"/>.</summary>
public sealed record GatherRange
{
    public static readonly GatherRange Instance = new();
}

/// <summary>Range <paramref name="Range"/> at <paramref name="Version"/>: its weights and its optimizer's state buffers (in the optimizer's order).</summary>
public sealed record RangeGathered(int Range, long Version, float[] Weights, float[][] State);

/// <summary>Worker <paramref name="Worker"/>'s stream of range <paramref name="Range"/> closed: its other streams go with it.</summary>
public sealed record RangeStreamLost(int Range, string Worker, string Reason);

/// <summary>Worker <paramref name="Worker"/>'s main stream closed: close its stream of this range too, keeping its admission.</summary>
public sealed record CloseRangeStream(string Worker);

/// <summary>
/// Serve range <paramref name="Range"/> ([<paramref name="Offset"/>, + <paramref name="Length"/>) of the parameters) from these
/// weights, an optimizer of <paramref name="Optimizer"/>'s settings holding <paramref name="State"/> (in its order of state
/// names) and <paramref name="StepCount"/> steps taken: the first message on the master's stream to the range's server.
/// </summary>
public sealed record HostRange(int Range, int Offset, int Length, OptimizerSettings Optimizer, long StepCount, float[] Weights, float[][] State);

/// <summary>Where range <paramref name="Range"/>'s server listens, and the token the master's stream to it presents.</summary>
public sealed record RangeEndpoint(int Range, string Host, int Port, string MasterToken);

/// <summary>Lets <paramref name="WorkerId"/>'s stream of this range in when it presents <paramref name="StreamToken"/> (the master forwards each admission).</summary>
public sealed record AdmitToRange(string WorkerId, string StreamToken);

/// <summary>Closes <paramref name="WorkerId"/>'s stream of this range and withdraws its admission: it comes back only by registering again.</summary>
public sealed record DropFromRange(string WorkerId);

/// <summary>The run is over: no stream comes in and no part is kept; the range can still be gathered.</summary>
public sealed record RangeRunEnded
{
    public static readonly RangeRunEnded Instance = new();
}
