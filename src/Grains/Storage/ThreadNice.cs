using System.Runtime.InteropServices;

namespace ImOrleans.Grains.Storage;

/// <summary>The Linux scheduling priority ("nice" value) of the calling thread alone.</summary>
internal static class ThreadNice
{
    /// <summary>
    /// Sets the calling thread's nice value (-20 highest, 19 lowest). Raising it above 0 needs the CAP_SYS_NICE
    /// capability (root outside containers; <c>cap_add: [SYS_NICE]</c> in Docker); returns false where it is not
    /// allowed or not Linux, and the thread keeps its priority.
    /// </summary>
    public static bool TrySet(int nice)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            // On Linux a thread is a task with its own id, and setpriority on that id changes only that thread.
            return SetPriority(PriorityOfProcess, GetThreadId(), nice) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private const int PriorityOfProcess = 0; // PRIO_PROCESS

    [DllImport("libc", EntryPoint = "setpriority")]
    private static extern int SetPriority(int which, int who, int priority);

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetThreadId();
}
