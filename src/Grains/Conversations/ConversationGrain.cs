using ImOrleans.Grains.Hosting;
using ImOrleans.Grains.Storage;
using ImOrleans.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization.Invocation;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

/// <summary>
/// Owns a conversation's seq counter, so it is not reentrant: sends (ConversationGrain.Send.cs) are
/// stored one after another under contiguous seqs (R15). Only <see cref="Pull"/>, which changes
/// nothing, may interleave. Receipts are in ConversationGrain.Receipts.cs.
/// </summary>
[GrainType("conversation")]
[MayInterleave(nameof(IsReadOnly))]
internal sealed partial class ConversationGrain(
    [PersistentState("conversation", StorageNames.Grains)] IPersistentState<ConversationState> state,
    IMessageStore store,
    TimeProvider time,
    IOptions<ConversationOptions> options,
    ILogger<ConversationGrain> logger) : Grain, IConversationGrain
{
    private const int DefaultPageSize = 20;
    private const int MaxPageSize = 100;

    /// <summary>Members of a single conversation see it from its first message.</summary>
    private const long SingleInitSeq = 1;

    private readonly ConversationOptions _options = options.Value;
    private readonly RecentSends _recent = new(options.Value.RecentSendCapacity);
    private string _id = "";
    private string[] _members = [];
    private long _maxSeq;

    public static bool IsReadOnly(IInvokable request) => request.GetMethodName() == nameof(Pull);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _id = this.GetPrimaryKeyString();
        if (!Identifiers.TryParseSingle(_id, out var a, out var b))
        {
            return; // No members: every call is rejected with ConversationNotFound.
        }

        _members = [a, b];
        _maxSeq = await store.GetMaxSeqAsync(_id);
        await LoadReceiptsAsync();
    }

    public async Task<HistoryPage> Pull(string userId, long minSeq, long maxSeq, int limit)
    {
        RequireMember(userId);
        var newest = _maxSeq;
        var take = limit == 0 ? DefaultPageSize : Math.Clamp(limit, 1, MaxPageSize);
        var from = Math.Max(minSeq, SingleInitSeq);
        var to = maxSeq <= 0 || maxSeq > newest ? newest : maxSeq;
        IReadOnlyList<StoredMessage> messages = [];
        if (from <= to)
        {
            try
            {
                messages = await store.ReadRangeAsync(_id, from, to, take);
            }
            catch (Exception ex)
            {
                LogStoreFailed(logger, ex, _id);
                throw new RequestRejectedException(ErrorCode.Unavailable, "History is unavailable; retry.");
            }
        }

        return new HistoryPage { Messages = messages, MaxSeq = newest, InitSeq = SingleInitSeq };
    }

    private void RequireMember(string userId)
    {
        if (_members.Length == 0)
        {
            throw new RequestRejectedException(ErrorCode.ConversationNotFound, "No such conversation.");
        }

        if (!IsMember(userId))
        {
            throw new RequestRejectedException(ErrorCode.NotMember, "Not a member of this conversation.");
        }
    }

    private bool IsMember(string userId) => Array.IndexOf(_members, userId) >= 0;

    private IUserGrain User(string userId) => GrainFactory.GetGrain<IUserGrain>(GrainKeys.User(userId));
}
