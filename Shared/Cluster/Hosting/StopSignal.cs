using System.Runtime.InteropServices;
using Serilog;

namespace DistTrainer.Cluster.Hosting;

/// <summary>
/// Turns the first SIGINT (Ctrl-C) or SIGTERM (docker stop) into a stop request the program handles
/// in its own time (training stops between two steps and still saves; a worker leaves the cluster),
/// and keeps its exit code its own; a second signal ends the process at once.
/// </summary>
public sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly TaskCompletionSource _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PosixSignalRegistration[] _registrations;

    /// <param name="messageTemplate">Logged as a warning on the first signal, the signal its one property: "Received {Signal}: ...".</param>
    public StopSignal(ILogger log, string messageTemplate)
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Stop(context, log, messageTemplate)),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Stop(context, log, messageTemplate)),
        ];
        // Said once SIGTERM is handled, so that whoever reads it can act on it at once.
        if (IgnoredSignals.Includes(IgnoredSignals.Sigint))
            log.Warning("SIGINT is ignored by this process, as its parent started it (in the background of a shell without job control): " +
                        "Ctrl-C and kill -INT do nothing; stop it with SIGTERM");
    }

    /// <summary>Cancelled on the first signal.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Completes on the first signal, for a program that waits on it beside other tasks.</summary>
    public Task Requested => _requested.Task;

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _source.Dispose();
    }

    private void Stop(PosixSignalContext context, ILogger log, string messageTemplate)
    {
        if (_source.IsCancellationRequested) return;
        context.Cancel = true;
        log.Warning(messageTemplate, context.Signal);
        _source.Cancel();
        _requested.TrySetResult();
    }
}
