using Akka.Actor;
using DistTrainer.Coordinator.Standby;
using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.Actors;

/// <summary>
/// A first coordinator founds its cluster when no other coordinator answers its question at start. Restarted while a
/// standby is still taking the run over (the takeover waits about 10 s for the split-brain resolver), it finds nothing
/// there yet, so until its first step it keeps asking (<see cref="ActiveCoordinatorProbe"/>, one question at a time,
/// every <see cref="CoordinatorSettings.OtherCoordinatorsAskEvery"/>). One that answers trains the run: this coordinator
/// ends before any step and writes nothing (<see cref="FailureKind.Superseded"/>), and its program stands by for that run.
/// No worker of that run comes here meanwhile: they are members of the other cluster. From its first step on this
/// coordinator trains the run, stops asking and stops the node it asked from.
/// </summary>
public sealed partial class CoordinatorActor
{
    private const string AskOthersTimer = "ask-other-coordinators";
    private bool _askingOthers;
    private bool _questionOut;

    private void StartAskingOthers()
    {
        if (_otherCoordinators is null) return;
        _askingOthers = true;
        // The program asked once just before this node started.
        Timers.StartPeriodicTimer(AskOthersTimer, AskOtherCoordinators.Instance, _settings.OtherCoordinatorsAskEvery);
    }

    private void StopAskingOthers()
    {
        if (!_askingOthers) return;
        _askingOthers = false;
        Timers.Cancel(AskOthersTimer);
        _ = _otherCoordinators!.DisposeAsync();
    }

    /// <summary>Before the first step only; an answer still on its way when the first step begins is dropped.</summary>
    private void StandDownForAnotherCoordinator()
    {
        Receive<AskOtherCoordinators>(_ =>
        {
            if (!_askingOthers || _questionOut) return;
            _questionOut = true;
            _otherCoordinators!.FindAsync().PipeTo(Self, success: found => new OtherCoordinatorsAnswered(found),
                failure: _ => new OtherCoordinatorsAnswered(null));
        });
        Receive<OtherCoordinatorsAnswered>(answered =>
        {
            _questionOut = false;
            if (!_askingOthers || answered.Active is not { } active) return;
            StopAskingOthers();
            Finish($"a coordinator already trains at {active}", FailureKind.Superseded);
        });
    }

    private sealed class AskOtherCoordinators
    {
        public static readonly AskOtherCoordinators Instance = new();
    }

    private sealed record OtherCoordinatorsAnswered(string? Active);
}
