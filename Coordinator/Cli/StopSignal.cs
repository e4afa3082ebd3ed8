using System.Runtime.InteropServices;
using Serilog;

namespace DistTrainer.Coordinator.Cli;

/// <summary>
/// Turns the first SIGINT (Ctrl-C) or SIGTERM (docker stop) into a cancellation, so training stops
/// between two steps and still saves what it was asked to; a second signal ends the process at once.
/// </summary>
public sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration[] _registrations;

    public StopSignal(ILogger log)
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Stop(context, log)),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Stop(context, log)),
        ];
    }

    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _source.Dispose();
    }

    private void Stop(PosixSignalContext context, ILogger log)
    {
        if (_source.IsCancellationRequested) return;
        context.Cancel = true;
        log.Warning("Received {Signal}: stopping after the current step", context.Signal);
        _source.Cancel();
    }
}
