using Akka.Actor;
using Akka.Cluster;
using DistTrainer.Cluster.Hosting;

namespace DistTrainer.Coordinator.Standby;

/// <summary>
/// Whether a standby coordinator's turn has come, from the member events its actor receives and nothing else. The
/// cluster's own <c>State</c> is kept by another actor and can lag the events a subscriber is handed: a standby that
/// read it on the removal of the active coordinator still saw that node, and with no later event to look again it
/// stood by until a worker gave up and left, minutes on.
/// <para>
/// The active coordinator is told by what it is, not by its age: a standby's node has the role
/// <see cref="ClusterRoles.Standby"/>, and every coordinator node without it trains. By age alone, the node that takes a
/// run over (joined after every other standby, so younger) would not hold a second standby back, and a standby moved up
/// in the same round as the founding coordinator could count as the older of the two.
/// </para>
/// <para>
/// An active coordinator that rolls its run back on a fresh node of its own says so before it leaves
/// (<see cref="HoldForFreshNode"/>): its leaving is then no loss, and the turn waits until another active coordinator node
/// joins (the fresh one) or the standby gives up waiting (<see cref="ReleaseHold"/>).
/// </para>
/// <para>
/// A node's cluster that shuts down (<see cref="ShuttingDown"/>) ends with a removal event for every member, in address
/// order: the active coordinator's can come while this node still counts itself up. Those removals are this node's end,
/// not the loss of the active coordinator, so no turn comes after it (CI, 2026-12-07: a standby downed by the active
/// coordinator took the run over as its own node shut down, and never came back as a fresh node).
/// </para>
/// </summary>
public sealed class CoordinatorSuccession
{
    private readonly UniqueAddress _self;
    private readonly Dictionary<UniqueAddress, CoordinatorMember> _coordinators = [];
    private HashSet<UniqueAddress>? _leavingForFreshNode;
    private bool _shuttingDown;

    public CoordinatorSuccession(UniqueAddress self) => _self = self;

    /// <summary>
    /// True when this node is up and its cluster is not shutting down, no active coordinator node is a member (joining,
    /// up, leaving or exiting), and no other standby is older or still joining. A joining standby has no age yet: the leader can move it up in the same gossip as
    /// this node, and the events of one gossip come in address order, so this node's own up can come first.
    /// </summary>
    public bool TurnHasCome =>
        !_shuttingDown && _leavingForFreshNode is null && _coordinators.TryGetValue(_self, out var self) && self.Status == MemberStatus.Up &&
        !Others.Any(other => !other.StandingBy || other.Status is MemberStatus.Joining or MemberStatus.WeaklyUp || other.IsOlderThan(self));

    /// <summary>This node's cluster shuts down: the removals that follow are its own end, and its turn never comes.</summary>
    public void ShuttingDown() => _shuttingDown = true;

    /// <summary>True from <see cref="HoldForFreshNode"/> until a fresh active coordinator node is a member or the hold is released.</summary>
    public bool HeldForFreshNode => _leavingForFreshNode is not null;

    /// <summary>
    /// The active coordinator nodes in the cluster now are leaving for a fresh one: none of them leaving hands this standby
    /// the turn until <see cref="ReleaseHold"/>, and an active coordinator node not among them joining ends the hold.
    /// </summary>
    public void HoldForFreshNode() =>
        _leavingForFreshNode = [.. Others.Where(member => !member.StandingBy).Select(member => member.Node)];

    /// <summary>No fresh node came in time (the active coordinator's process died as it moved): its loss is a loss again.</summary>
    public void ReleaseHold() => _leavingForFreshNode = null;

    /// <summary>The active coordinator nodes a standby registers with: up, leaving or exiting.</summary>
    public IEnumerable<Address> ActiveCoordinators =>
        Others.Where(member => !member.StandingBy && member.Status is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Exiting)
            .Select(member => member.Node.Address);

    private IEnumerable<CoordinatorMember> Others =>
        _coordinators.Values.Where(member => !member.Node.Equals(_self) && member.Status is not (MemberStatus.Down or MemberStatus.Removed));

    /// <summary>Whether <paramref name="member"/> is an active coordinator's node: the coordinator role without the standby one.</summary>
    public static bool IsActiveCoordinator(Member member) =>
        member.HasRole(ClusterRoles.Coordinator) && !member.HasRole(ClusterRoles.Standby);

    public void Apply(ClusterEvent.IMemberEvent change)
    {
        var member = change.Member;
        if (!member.HasRole(ClusterRoles.Coordinator)) return;
        Apply(new CoordinatorMember(member.UniqueAddress, member.Status, new MemberAge(member), !IsActiveCoordinator(member)),
            change is ClusterEvent.MemberRemoved);
    }

    /// <param name="removed">The member left the cluster's membership altogether.</param>
    public void Apply(CoordinatorMember member, bool removed)
    {
        if (removed) _coordinators.Remove(member.Node);
        else _coordinators[member.Node] = member;
        if (_leavingForFreshNode is { } leaving && !removed && !member.StandingBy && !leaving.Contains(member.Node) &&
            member.Status is MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Up)
            _leavingForFreshNode = null;
    }
}

/// <summary>
/// What the succession needs of a coordinator member; <paramref name="Age"/> orders members oldest first;
/// <paramref name="StandingBy"/>: a standby's node, which trains nothing.
/// </summary>
public sealed record CoordinatorMember(UniqueAddress Node, MemberStatus Status, IComparable Age, bool StandingBy)
{
    public bool IsOlderThan(CoordinatorMember other) => Age.CompareTo(other.Age) < 0;
}

/// <summary>A member's age as the cluster orders it (its up-number is not public).</summary>
internal sealed class MemberAge(Member member) : IComparable
{
    private readonly Member _member = member;

    public int CompareTo(object? other) => Member.AgeOrdering.Compare(_member, ((MemberAge)other!)._member);
}
