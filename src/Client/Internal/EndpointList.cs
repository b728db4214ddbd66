using System.Net;

namespace ImOrleans.Client.Internal;

/// <summary>The order in which edges are tried (R8): the last one that worked first, then the list's own order.</summary>
internal sealed class EndpointList(ImClientOptions options)
{
    private EndPoint? _lastWorked;

    public async ValueTask<IReadOnlyList<EndPoint>> GetOrderAsync(CancellationToken cancellationToken)
    {
        var endpoints = options.EndpointProvider is { } provider
            ? await provider(cancellationToken).ConfigureAwait(false)
            : options.Endpoints;
        if (endpoints.Count == 0)
        {
            throw new ImConnectionException("The endpoint provider returned no edge address.");
        }

        return Order(endpoints, Volatile.Read(ref _lastWorked));
    }

    public void MarkWorked(EndPoint endpoint) => Volatile.Write(ref _lastWorked, endpoint);

    internal static IReadOnlyList<EndPoint> Order(IReadOnlyList<EndPoint> endpoints, EndPoint? lastWorked)
    {
        if (lastWorked is null || !endpoints.Contains(lastWorked))
        {
            return endpoints;
        }

        var ordered = new List<EndPoint>(endpoints.Count) { lastWorked };
        ordered.AddRange(endpoints.Where(e => !e.Equals(lastWorked)));
        return ordered;
    }
}
