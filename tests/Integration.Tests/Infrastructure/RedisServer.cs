using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ImOrleans.Integration.Tests;

/// <summary>
/// A redis-server of one test's own (the binary scripts/test.sh puts on PATH), on a free loopback port, so the test
/// can crash and restart it without disturbing the Redis the other tests share. It persists the way docs/operations.md
/// asks production to: append-only file, fsync on every write, so a restart from the same folder keeps the Orleans
/// membership table.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private const int KeptLines = 40;
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("imorleans-redis-");
    private readonly Queue<string> _output = new();
    private Process? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    /// <summary>StackExchange.Redis configuration for silos and edges.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    public string RecentOutput
    {
        get { lock (_output) { return string.Join('\n', _output); } }
    }

    public static async Task<RedisServer> StartAsync()
    {
        var redis = new RedisServer(LoopbackPorts.Next());
        try
        {
            await redis.StartAgainAsync();
            return redis;
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL, like a crash: nothing is flushed beyond what every write already fsynced.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit(10_000);
        }
    }

    /// <summary>Starts redis-server on the same port and data folder, and waits until it answers PING (its data loaded).</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--bind", "127.0.0.1", "--port", Port.ToString(), "--dir", _directory.FullName, "--daemonize", "no",
            "--save", "", "--appendonly", "yes", "--appendfsync", "always",
        })
        {
            start.ArgumentList.Add(argument);
        }

        _process?.Dispose();
        try
        {
            _process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not on PATH; run the tests through scripts/test.sh, which installs it", ex);
        }

        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var deadline = new CancellationTokenSource(Deadlines.Short);
        while (!await PingAsync())
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server on port {Port} exited:\n{RecentOutput}");
            }

            try
            {
                await Task.Delay(100, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"redis-server on port {Port} did not answer PING:\n{RecentOutput}");
            }
        }
    }

    /// <summary>True when the server answers PING with PONG (not LOADING, not refused).</summary>
    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port).WaitAsync(TimeSpan.FromSeconds(1));
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(1));
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > KeptLines)
            {
                _output.Dequeue();
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file still being closed; the temp folder is cleaned by the OS eventually.
        }

        return ValueTask.CompletedTask;
    }
}
