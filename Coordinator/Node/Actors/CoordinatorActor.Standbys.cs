using System.Security.Cryptography;
using Akka.Actor;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Coordinator.ParameterServer;

namespace DistTrainer.Coordinator.Actors;

/// <summary>
/// The coordinator's handling of standby coordinators, in a file of their own: a standby that registers gets a stream
/// token (the same one each time it asks again) and the parameter server's data-plane endpoint, where the periodic
/// checkpoints come to it as snapshot frames.
/// </summary>
public sealed partial class CoordinatorActor
{
    private readonly Dictionary<string, string> _standbyTokens = new();

    private void RegisterStandby(RegisterStandby register)
    {
        if (ProtocolVersion.Refusal(register.ProtocolVersion) is { } refusal)
        {
            Sender.Tell(new StandbyRefused(register.Node, refusal));
            return;
        }
        // As for a worker: a node of another cluster is not answered; its fresh node asks again from this cluster.
        if (!IsUpMember(Sender.Path.Address)) return;
        if (!_standbyTokens.TryGetValue(register.Node, out var token))
        {
            token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            _standbyTokens[register.Node] = token;
            _log.Information("Standby coordinator {Node} registered; it receives the periodic checkpoints on the data plane", register.Node);
        }
        _parameterServer.Tell(new AdmitStandby(register.Node, token));
        Sender.Tell(new StandbyAccepted(register.Node, token, _settings.Job.DataPlaneHost, _settings.Job.DataPlanePort));
    }

    /// <summary>
    /// A standby whose node left the cluster takes nothing over: forgotten, it no longer makes this coordinator hand the run
    /// to it (a lost key range then rolls back on a fresh node of this process instead). Its fresh node registers anew.
    /// </summary>
    private void ForgetStandby(Address node)
    {
        if (_standbyTokens.Remove(node.ToString()))
            _log.Information("Standby coordinator {Node} left the cluster; a lost key range is no longer handed to it", node);
    }
}
