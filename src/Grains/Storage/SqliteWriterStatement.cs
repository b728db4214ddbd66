using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ImOrleans.Grains.Storage;

/// <summary>
/// One statement of the SQLite writer's connection, prepared once and run through SQLite's own API, with parameters
/// bound by position. Microsoft.Data.Sqlite's commands allocate a binder for every parameter and a data reader for
/// every execution, box every number and convert every string to a new UTF-8 array: on the chat path that was about
/// a tenth of everything the server allocated per message, and a sixth of the writer thread's time. Used only on the
/// writer thread, inside the transactions the writer's connection opens.
/// </summary>
internal sealed class SqliteWriterStatement : IDisposable
{
    /// <summary>"" as SQLite's zero-terminated UTF-8.</summary>
    private static readonly byte[] EmptyText = [0];

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly int[] _slots;

    /// <summary>Prepares <paramref name="sql"/> on <paramref name="connection"/>; <paramref name="parameters"/> are its parameter names without '@', in the order <see cref="Bind(int, long)"/> numbers them.</summary>
    public SqliteWriterStatement(SqliteConnection connection, string sql, params string[] parameters)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The writer's connection is not open.");
        SqliteException.ThrowExceptionForRC(raw.sqlite3_prepare_v2(_db, sql, out _statement), _db);
        _slots = new int[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            _slots[i] = raw.sqlite3_bind_parameter_index(_statement, "@" + parameters[i]);
            if (_slots[i] == 0)
            {
                _statement.Dispose();
                throw new ArgumentException($"The statement has no parameter @{parameters[i]}: {sql}");
            }
        }
    }

    public void Bind(int parameter, long value) => Check(raw.sqlite3_bind_int64(_statement, _slots[parameter], value));

    /// <summary>
    /// Binds the string's UTF-16 characters (SQLite converts them while copying); null binds NULL. An empty string is
    /// bound as a terminated empty UTF-8 string: an empty span may pin to a null pointer, which SQLite binds as NULL.
    /// </summary>
    public void Bind(int parameter, string? value) => Check(value switch
    {
        null => raw.sqlite3_bind_null(_statement, _slots[parameter]),
        "" => raw.sqlite3_bind_text(_statement, _slots[parameter], utf8z.FromSpan(EmptyText)),
        _ => raw.sqlite3_bind_text16(_statement, _slots[parameter], value.AsSpan()),
    });

    /// <summary>Runs the statement to its end and returns how many rows it changed.</summary>
    public int Execute()
    {
        try
        {
            var result = raw.sqlite3_step(_statement);
            if (result != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(result, _db);
            }

            return raw.sqlite3_changes(_db);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>Runs the statement and returns whether it yields a row.</summary>
    public bool HasRow()
    {
        try
        {
            return StepToRow();
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>Runs the statement and returns the first column of its first row as a number (0 for NULL or no row).</summary>
    public long ReadInt64()
    {
        try
        {
            return StepToRow() ? raw.sqlite3_column_int64(_statement, 0) : 0;
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    public void Dispose() => _statement.Dispose();

    /// <summary>Steps the statement once: true at a row, false when it is done.</summary>
    private bool StepToRow()
    {
        var result = raw.sqlite3_step(_statement);
        if (result != raw.SQLITE_ROW && result != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(result, _db);
        }

        return result == raw.SQLITE_ROW;
    }

    private void Check(int result)
    {
        if (result != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(result, _db);
        }
    }
}
