using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ImOrleans.EdgeGateway;

/// <summary>The client listener of this edge, so services can learn its real port once Kestrel has bound it.</summary>
internal sealed class EdgeListener
{
    private ListenOptions? _options;

    /// <summary>
    /// The listener's endpoint: for a fixed port, from the settings (bound or not yet); for port 0, null until Kestrel
    /// has bound it and written the port it got.
    /// </summary>
    public IPEndPoint? BoundEndpoint => Volatile.Read(ref _options)?.IPEndPoint is { Port: > 0 } endpoint ? endpoint : null;

    public void Set(ListenOptions options) => Volatile.Write(ref _options, options);
}
