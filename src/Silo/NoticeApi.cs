using System.Security.Cryptography;
using System.Text;
using ImOrleans.Grains;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Silo;

/// <summary>
/// The push API business services call (R11, docs/protocol.md "Business notices"): <c>POST /notices</c> stores a
/// notice in each target user's system conversation (<c>n:&lt;user id&gt;</c>) and pushes it to their online sessions
/// at once (command Notice, 0x0100); offline users find it when they sync. <c>GET /notices/{userId}/{seq}</c> tells
/// whether the user acked (NoticeAck, 0x0103) and read it. Both need the header <c>X-Service-Key</c>.
/// </summary>
public static class NoticeApi
{
    public const string ServiceKeyHeader = "X-Service-Key";

    /// <summary>Maps the notice endpoints. Throws <see cref="InvalidSettingsException"/> for invalid <see cref="NoticeOptions"/>.</summary>
    public static WebApplication MapNoticeApi(this WebApplication app)
    {
        var options = app.Configuration.GetSection(NoticeOptions.SectionName).Get<NoticeOptions>() ?? new();
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
        {
            throw new InvalidSettingsException(problems);
        }

        var key = Encoding.UTF8.GetBytes(options.ServiceKey);
        var notices = app.MapGroup("/notices").AddEndpointFilter(async (context, next) =>
        {
            if (key.Length == 0)
            {
                return Results.Json(new NoticeError("The notice API is off: set Notices:ServiceKey.", 0), statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            var given = Encoding.UTF8.GetBytes(context.HttpContext.Request.Headers[ServiceKeyHeader].ToString());
            return CryptographicOperations.FixedTimeEquals(given, key)
                ? await next(context)
                : Results.Json(new NoticeError($"Missing or wrong {ServiceKeyHeader} header.", 0), statusCode: StatusCodes.Status401Unauthorized);
        });

        notices.MapPost("", (NoticeRequest request, IGrainFactory grains) => PostAsync(request, grains, options));
        notices.MapGet("/{userId}/{seq:long}", GetStatusAsync);
        return app;
    }

    private static async Task<IResult> PostAsync(NoticeRequest request, IGrainFactory grains, NoticeOptions options)
    {
        var users = request.UserIds ?? [];
        var problem = users.Length == 0 || users.Length > options.MaxUsersPerRequest ? $"userIds must list 1-{options.MaxUsersPerRequest} users"
            : users.FirstOrDefault(u => !Identifiers.IsValidUserId(u)) is { } bad ? $"'{bad}' is not a valid user id"
            : users.Distinct(StringComparer.Ordinal).Count() != users.Length ? "userIds lists a user twice"
            : string.IsNullOrEmpty(request.NoticeId) ? "noticeId is required (it makes retries store the notice once)"
            : null;
        if (problem is not null)
        {
            return BadRequest(problem);
        }

        var notice = new OutgoingMessage
        {
            ClientMsgId = request.NoticeId!,
            Type = request.Type == 0 ? MessageType.Text : (MessageType)request.Type,
            Content = request.Content ?? "",
            Attachments = [.. (request.Attachments ?? []).Select(a => new AttachmentInfo
            {
                Id = a.Id ?? "", Type = a.Type ?? "", Name = a.Name ?? "", Url = a.Url ?? "", Size = a.Size,
            })],
            ClientTimeMs = request.TimeMs,
            Resend = true, // Every post may be a retry: look the notice id up before storing.
        };
        var source = string.IsNullOrEmpty(request.Source) ? "system" : request.Source;
        try
        {
            var results = await Task.WhenAll(users.Select(async user =>
            {
                var conversationId = Identifiers.NoticeConversation(user);
                var sent = await grains.GetGrain<IConversationGrain>(GrainKeys.Conversation(conversationId)).PostNotice(source, notice);
                return new NoticeResult(user, conversationId, sent.Seq, sent.ServerTimeMs, sent.Duplicate);
            }));
            return Results.Ok(new NoticeResponse(results));
        }
        catch (RequestRejectedException ex) when (ex.Code != ErrorCode.Unavailable)
        {
            return BadRequest(ex.Message, ex.Code);
        }
        catch (RequestRejectedException ex)
        {
            return Results.Json(new NoticeError(ex.Message, (uint)ex.Code), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static async Task<IResult> GetStatusAsync(string userId, long seq, IGrainFactory grains)
    {
        if (!Identifiers.IsValidUserId(userId))
        {
            return BadRequest($"'{userId}' is not a valid user id");
        }

        var conversationId = Identifiers.NoticeConversation(userId);
        var status = await grains.GetGrain<IConversationGrain>(GrainKeys.Conversation(conversationId)).GetNoticeStatus(seq);
        return status.Exists
            ? Results.Ok(new NoticeStatusResponse(userId, conversationId, seq, status.Delivered, status.Read))
            : Results.Json(new NoticeError($"{userId} has no notice {seq}", (uint)ErrorCode.MessageNotFound), statusCode: StatusCodes.Status404NotFound);
    }

    private static IResult BadRequest(string error, ErrorCode code = ErrorCode.InvalidArgument) =>
        Results.Json(new NoticeError(error, (uint)code), statusCode: StatusCodes.Status400BadRequest);

    /// <summary>The body of POST /notices. <see cref="Type"/> is a MessageType number (0 means text).</summary>
    internal sealed record NoticeRequest(
        string[]? UserIds, string? NoticeId, string? Source, int Type, string? Content, NoticeAttachment[]? Attachments, long TimeMs);

    internal sealed record NoticeAttachment(string? Id, string? Type, string? Name, string? Url, long Size);

    internal sealed record NoticeResponse(IReadOnlyList<NoticeResult> Notices);

    internal sealed record NoticeResult(string UserId, string ConversationId, long Seq, long ServerTimeMs, bool Duplicate);

    internal sealed record NoticeStatusResponse(string UserId, string ConversationId, long Seq, bool Delivered, bool Read);

    internal sealed record NoticeError(string Error, uint Code);
}
