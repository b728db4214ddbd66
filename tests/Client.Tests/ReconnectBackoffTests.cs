using ImOrleans.Client.Internal;

namespace ImOrleans.Client.Tests;

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void Waits_double_from_the_initial_delay_up_to_the_cap()
    {
        var delays = Enumerable.Range(0, 8)
            .Select(attempt => ReconnectBackoff.Delay(attempt, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), jitterSample: 0).TotalSeconds);

        Assert.Equal([1d, 2d, 4d, 8d, 16d, 30d, 30d, 30d], delays);
    }

    [Fact]
    public void Jitter_only_shortens_a_wait_and_by_at_most_a_fifth()
    {
        var shortest = ReconnectBackoff.Delay(5, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), jitterSample: 0.999999);

        Assert.InRange(shortest.TotalSeconds, 24, 30);
        Assert.Equal(TimeSpan.FromSeconds(30), ReconnectBackoff.Delay(1000, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0));
    }
}
