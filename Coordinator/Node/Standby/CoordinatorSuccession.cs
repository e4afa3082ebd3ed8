using Akka.Actor;
using Akka.Cluster;
using DistTrainer.Cluster.Hosting;

namespace DistTrainer.Coordinator.Standby;

/// <summary>
/// Whether a standby coordinator's turn has come, from the member events its actor receives and nothing else. The
/// cluster's own <c>State</c> is kept by another actor and can lag the events a subscriber is handed: a standby that
/// read it on the removal of the active coordinator still saw that node, and with no later event to look again it
/// stood by until a worker gave up and left, minutes on.
/// </summary>
public sealed class CoordinatorSuccession
{
    private readonly UniqueAddress _self;
    private readonly Dictionary<UniqueAddress, CoordinatorMember> _coordinators = [];

    public CoordinatorSuccession(UniqueAddress self) => _self = self;

    /// <summary>
    /// True when this node is up, no older coordinator node is up, leaving or exiting, and none is joining. A joining one
    /// has no age yet: the leader can move it up in the same gossip as this node, and the events of one gossip come in
    /// address order, so this node's own up can come first while that node, older once up, still reads as joining.
    /// </summary>
    public bool TurnHasCome =>
        _coordinators.TryGetValue(_self, out var self) && self.Status == MemberStatus.Up &&
        !Others.Any(other => other.Status is MemberStatus.Joining or MemberStatus.WeaklyUp || other.IsOlderThan(self));

    /// <summary>The other coordinator nodes that can be the active one: up, leaving or exiting.</summary>
    public IEnumerable<Address> OtherCoordinators =>
        Others.Where(member => member.Status is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Exiting).Select(member => member.Node.Address);

    private IEnumerable<CoordinatorMember> Others =>
        _coordinators.Values.Where(member => !member.Node.Equals(_self) && member.Status is not (MemberStatus.Down or MemberStatus.Removed));

    public void Apply(ClusterEvent.IMemberEvent change)
    {
        var member = change.Member;
        if (!member.HasRole(ClusterRoles.Coordinator)) return;
        Apply(new CoordinatorMember(member.UniqueAddress, member.Status, new MemberAge(member)), change is ClusterEvent.MemberRemoved);
    }

    /// <param name="removed">The member left the cluster's membership altogether.</param>
    public void Apply(CoordinatorMember member, bool removed)
    {
        if (removed) _coordinators.Remove(member.Node);
        else _coordinators[member.Node] = member;
    }
}

/// <summary>What the succession needs of a coordinator member; <paramref name="Age"/> orders members oldest first.</summary>
public sealed record CoordinatorMember(UniqueAddress Node, MemberStatus Status, IComparable Age)
{
    public bool IsOlderThan(CoordinatorMember other) => Age.CompareTo(other.Age) < 0;
}

/// <summary>A member's age as the cluster orders it (its up-number is not public).</summary>
internal sealed class MemberAge(Member member) : IComparable
{
    private readonly Member _member = member;

    public int CompareTo(object? other) => Member.AgeOrdering.Compare(_member, ((MemberAge)other!)._member);
}
