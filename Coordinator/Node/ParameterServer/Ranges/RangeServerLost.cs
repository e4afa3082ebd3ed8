using Akka.Actor;
using Akka.Event;

namespace DistTrainer.Coordinator.ParameterServer.Ranges;

/// <summary>The stream to range <paramref name="Range"/>'s server closed, or never opened: the run cannot go on without the range.</summary>
public sealed record RangeServerLost(int Range, string Reason) : INoSerializationVerificationNeeded, IDeadLetterSuppression;
