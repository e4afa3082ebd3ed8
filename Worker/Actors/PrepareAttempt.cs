namespace DistTrainer.Worker.Actors;

/// <summary>
/// One attempt to open a worker's session off the actor (<see cref="WorkerSession.Open"/>): the stage it has reached, which
/// the worker names when the attempt outlasts its prepare timeout, and who settles it. Either the opening ends first and
/// its session (or error) goes to the actor, or the timeout does and the opening's session, should it still come, is
/// disposed where it ends: an attempt given up for must not make the worker train on it, or stop it, afterwards.
/// </summary>
public sealed class PrepareAttempt
{
    private volatile string _stage = "starting";
    private int _settled;

    /// <summary>What the opening is doing now, as a phrase ("loading the dataset").</summary>
    public string Stage
    {
        get => _stage;
        set => _stage = value;
    }

    /// <summary>True for the first caller only: the opening's end or the timeout, whichever comes first.</summary>
    public bool TrySettle() => Interlocked.Exchange(ref _settled, 1) == 0;
}
