namespace DistTrainer.Cluster.Tests.Hosting;

/// <summary>Waits on state that no event reports, such as a cluster's membership seen from one node.</summary>
internal static class Poll
{
    /// <summary>Whether <paramref name="condition"/> held at some point within <paramref name="wait"/>.</summary>
    public static async Task<bool> Eventually(Func<bool> condition, TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return true;
            await Task.Delay(100);
        }
        return condition();
    }
}
