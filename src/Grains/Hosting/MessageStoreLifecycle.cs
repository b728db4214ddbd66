using ImOrleans.Grains.Storage;

namespace ImOrleans.Grains.Hosting;

/// <summary>
/// Runs the message store's writer for the silo's lifetime. It starts before grain storage
/// (ApplicationServices) and stops after it, so on shutdown grains deactivate first and every
/// write they queued is committed before the writer drains and closes.
/// </summary>
internal sealed class MessageStoreLifecycle(MessageStore store) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(MessageStore), ServiceLifecycleStage.RuntimeStorageServices, store.StartAsync, store.StopAsync);
}
