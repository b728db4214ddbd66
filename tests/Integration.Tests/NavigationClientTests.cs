using System.Net;
using System.Net.Sockets;
using System.Text;
using ImOrleans.Client;

namespace ImOrleans.Integration.Tests;

/// <summary>The SDK's navigation helper against a plain HTTP listener standing in for a silo's /navigation.</summary>
public sealed class NavigationClientTests
{
    private const string Answer =
        """{"edges":[{"id":"edge2","address":"127.0.0.1:7202","connections":1},{"id":"edge1","address":"localhost:7201","connections":5}],"future":1}""";

    [Fact]
    public async Task It_skips_a_dead_navigation_url_keeps_the_order_given_and_falls_back_to_the_last_answer()
    {
        var dead = new Uri($"http://127.0.0.1:{FreePort()}/navigation");
        var port = FreePort();
        using var navigation = new NavigationClient([dead, new Uri($"http://127.0.0.1:{port}/navigation")], TimeSpan.FromSeconds(2));

        using (var silo = Serve(port, Answer))
        {
            var edges = await navigation.GetEdgesAsync(CancellationToken.None).AsTask().WithDeadline();
            Assert.Equal([new IPEndPoint(IPAddress.Loopback, 7202), new DnsEndPoint("localhost", 7201)], edges);
        }

        // Every silo's HTTP is gone: the edges may still be up, so the last list is used again.
        var fallback = await navigation.GetEdgesAsync(CancellationToken.None).AsTask().WithDeadline();
        Assert.Equal(2, fallback.Count);
    }

    [Fact]
    public async Task Without_any_answer_ever_it_fails_with_a_connection_error_naming_each_url()
    {
        var url = new Uri($"http://127.0.0.1:{FreePort()}/navigation");
        using var navigation = new NavigationClient([url], TimeSpan.FromSeconds(2));

        var error = await Assert.ThrowsAsync<ImConnectionException>(() => navigation.GetEdgesAsync(CancellationToken.None).AsTask().WithDeadline());

        Assert.Contains(url.ToString(), error.Message);
    }

    /// <summary>Answers every GET with <paramref name="json"/> until disposed.</summary>
    private static HttpListener Serve(int port, string json)
    {
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                var body = Encoding.UTF8.GetBytes(json);
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        });
        return listener;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
