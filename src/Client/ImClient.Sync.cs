using Google.Protobuf;
using ImOrleans.Client.Internal;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.Client;

public sealed partial class ImClient
{
    /// <summary>
    /// After every login (R14, R28), and when the server sends Resync: lists all conversations so the inbox can pull
    /// what is missing from each.
    /// Retried on the same link after a pause if the server fails it; abandoned if the link drops (the next
    /// login syncs again).
    /// </summary>
    private async Task SyncAsync(Connection connection)
    {
        try
        {
            var offset = 0;
            while (!connection.IsClosed)
            {
                GetConversationsResponse page;
                try
                {
                    var request = new GetConversationsRequest { Limit = ConversationPageSize, Offset = offset };
                    page = await connection.RequestAsync(CommandCode.GetConversations, request, GetConversationsResponse.Parser, Options.RequestTimeout, CancellationToken.None)
                        .ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is TimeoutException or ImServerException)
                {
                    await Task.Delay(Options.ReconnectInitialDelay, Options.TimeProvider, connection.Closing).ConfigureAwait(false);
                    continue;
                }

                foreach (var conversation in page.Conversations)
                {
                    await _inbox.PostAsync(new ConversationListed(conversation), CancellationToken.None).ConfigureAwait(false);
                }

                offset += page.Conversations.Count;
                if (page.Conversations.Count == 0 || offset >= page.Total)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is ImConnectionException or OperationCanceledException)
        {
            // The link dropped mid-sync; the next login starts over.
        }
        finally
        {
            await _inbox.PostAsync(new SyncFinished(), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private ValueTask OnPushAsync(IMessage push, CancellationToken cancellationToken) => push switch
    {
        MessagePush { Message: { } message } => _inbox.PostAsync(new PushedMessage(message), cancellationToken),
        NoticePush { Notice: { } notice } => _inbox.PostAsync(new PushedMessage(notice), cancellationToken),
        ReceiptPush receipt => _inbox.PostAsync(new PushedReceipt(receipt), cancellationToken),
        KickNotice kick => _inbox.PostAsync(new KickReceived(new KickedEventArgs((KickReason)kick.Reason, kick.Message)), cancellationToken),
        ResyncNotice => ResyncAsync(cancellationToken),
        _ => ValueTask.CompletedTask,
    };

    /// <summary>
    /// The server says pushes for this session may have been lost (its registration was made again after a failover):
    /// the same sync as after a login, on the live link, so what was stored meanwhile is pulled now rather than at the
    /// next gap or reconnect.
    /// </summary>
    private async ValueTask ResyncAsync(CancellationToken cancellationToken)
    {
        if (_gate.Current is not { } connection)
        {
            // No live link: the login that opens the next one syncs anyway.
            return;
        }

        // Like a login's: pushes of conversations not yet known wait for the list.
        await _inbox.PostAsync(new SyncStarted(), cancellationToken).ConfigureAwait(false);
        _ = SyncAsync(connection);
    }
}
