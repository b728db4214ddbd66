using ImOrleans.Grains.Storage;

namespace ImOrleans.Grains.Hosting;

/// <summary>Runs the checkpointer from before the message store starts until after it has drained.</summary>
internal sealed class SqliteCheckpointerLifecycle(SqliteCheckpointer checkpointer) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SqliteCheckpointer), ServiceLifecycleStage.RuntimeStorageServices - 1, checkpointer.StartAsync, checkpointer.StopAsync);
}
