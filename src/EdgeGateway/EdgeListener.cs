using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ImOrleans.EdgeGateway;

/// <summary>The client listener of this edge, so services can learn its real port once Kestrel has bound it.</summary>
internal sealed class EdgeListener
{
    private ListenOptions? _options;

    /// <summary>The bound endpoint, or null while Kestrel has not bound the listener yet.</summary>
    public IPEndPoint? BoundEndpoint => Volatile.Read(ref _options)?.IPEndPoint is { Port: > 0 } endpoint ? endpoint : null;

    public void Set(ListenOptions options) => Volatile.Write(ref _options, options);
}
