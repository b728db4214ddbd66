using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ImOrleans.Integration.Tests;

/// <summary>
/// A silo or edge running as a process of its own (<c>dotnet ImOrleans.Silo.dll --Key value ...</c>), so a test can
/// kill it with SIGKILL like a crashed machine. Its last output lines are kept for failure messages.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    private const int KeptLines = 60;
    private const int SigCont = 18;
    private const int SigStop = 19;
    private readonly Process _process;
    private readonly Queue<string> _output = new();

    private ServerProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>True once the test killed it (an exit the test expects).</summary>
    public bool Killed { get; private set; }

    public string RecentOutput
    {
        get { lock (_output) { return string.Join('\n', _output); } }
    }

    public static ServerProcess Start(string name, string dllPath, IReadOnlyDictionary<string, string> settings)
    {
        if (!File.Exists(dllPath))
        {
            throw new FileNotFoundException($"{dllPath} is missing: build the solution first (dotnet build ImOrleans.sln).", dllPath);
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dllPath)!,
        };
        start.ArgumentList.Add(dllPath);
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var server = new ServerProcess(name, process);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>SIGSTOP: the process stops running but keeps its sockets, like a machine that hangs (or a long GC pause).</summary>
    public void Pause() => Signal(SigStop);

    /// <summary>SIGCONT: a paused process runs on where it stopped.</summary>
    public void Resume() => Signal(SigCont);

    /// <summary>SIGKILL, like a power cut: no shutdown code runs, sockets are reset by the kernel.</summary>
    public void Kill()
    {
        Killed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    private void Signal(int signal)
    {
        if (kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    public void Dispose()
    {
        Kill();
        _process.Dispose();
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
}
