using System.Net;
using System.Net.Http.Json;

namespace ImOrleans.Client;

/// <summary>
/// Asks a navigation endpoint (<c>GET /navigation</c> on any silo's HTTP listener) for the live edges, least loaded
/// first (R8), and hands them to <see cref="ImClientOptions.EndpointProvider"/>:
/// <code>
/// using var navigation = new NavigationClient([new Uri("http://silo1:7180/navigation"), new Uri("http://silo2:7180/navigation")]);
/// var options = new ImClientOptions { EndpointProvider = navigation.GetEdgesAsync, ... };
/// </code>
/// The client then tries the edges in that order with its connect timeout and puts the one that worked first next time.
/// </summary>
/// <remarks>
/// The navigation URLs are tried in order, starting with the last one that answered. When none answers, or the answer
/// lists no edge (the cluster is failing over and edges have not reported yet), the last list received is returned
/// again: the edges themselves may well still be up. Safe to call concurrently.
/// </remarks>
public sealed class NavigationClient : IDisposable
{
    private readonly IReadOnlyList<Uri> _urls;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TimeSpan _timeout;
    private IReadOnlyList<EndPoint>? _lastEdges;
    private int _lastWorkedUrl;

    /// <param name="navigationUrls">Full URLs of the navigation endpoint, e.g. http://127.0.0.1:7180/navigation; at least one.</param>
    /// <param name="timeout">How long one URL gets to answer before the next is tried. Default 3 s.</param>
    /// <param name="httpClient">The HTTP client to use (not disposed); default a client of its own.</param>
    public NavigationClient(IEnumerable<Uri> navigationUrls, TimeSpan? timeout = null, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(navigationUrls);
        _urls = [.. navigationUrls];
        if (_urls.Count == 0)
        {
            throw new ArgumentException("Give at least one navigation URL.", nameof(navigationUrls));
        }

        _timeout = timeout ?? TimeSpan.FromSeconds(3);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_timeout, TimeSpan.Zero, nameof(timeout));
        _ownsHttp = httpClient is null;
        _http = httpClient ?? new HttpClient();
    }

    /// <summary>The edges of the last successful answer; null before one.</summary>
    public IReadOnlyList<EndPoint>? LastEdges => Volatile.Read(ref _lastEdges);

    /// <summary>The live edges, least loaded first. Matches <see cref="ImClientOptions.EndpointProvider"/>.</summary>
    /// <exception cref="ImConnectionException">No navigation URL answered with an edge and no earlier answer is known.</exception>
    public async ValueTask<IReadOnlyList<EndPoint>> GetEdgesAsync(CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        var first = Volatile.Read(ref _lastWorkedUrl);
        for (var i = 0; i < _urls.Count; i++)
        {
            var index = (first + i) % _urls.Count;
            var url = _urls[index];
            try
            {
                var edges = await AskAsync(url, cancellationToken).ConfigureAwait(false);
                if (edges.Count == 0)
                {
                    failures.Add($"{url}: no live edge");
                    continue;
                }

                Volatile.Write(ref _lastWorkedUrl, index);
                Volatile.Write(ref _lastEdges, edges);
                return edges;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException or FormatException)
            {
                failures.Add($"{url}: {ex.Message}");
            }
        }

        return LastEdges ?? throw new ImConnectionException($"Navigation gave no edge address: {string.Join("; ", failures)}");
    }

    private async Task<IReadOnlyList<EndPoint>> AskAsync(Uri url, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        var answer = await _http.GetFromJsonAsync(url, NavigationJsonContext.Default.NavigationAnswer, timeout.Token).ConfigureAwait(false);
        return [.. (answer?.Edges ?? []).Select(e => ImClientOptions.ParseEndpoint(e.Address))];
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }
}
