using Orleans.Concurrency;

namespace ImOrleans.ActivationPause;

/// <summary>A grain that does next to nothing, so that what a call costs the collector is Orleans' own.</summary>
public interface IPingGrain : IGrainWithIntegerKey
{
    Task<long> Ping(long value);

    [OneWay]
    Task Touch(long value);
}

internal sealed class PingGrain : Grain, IPingGrain
{
    private long _calls;

    public Task<long> Ping(long value)
    {
        _calls++;
        return Task.FromResult(_calls);
    }

    public Task Touch(long value)
    {
        _calls++;
        return Task.CompletedTask;
    }
}
