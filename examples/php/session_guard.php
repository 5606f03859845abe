<?php
// The server side of session-guard for PHP's native sessions: copy this file into your app.
//
//   require __DIR__ . '/session_guard.php';
//   const SESSION_IDLE_TIMEOUT = 1800;                    // the guard's data-timeout
//   $signedIn = sg_session_start(SESSION_IDLE_TIMEOUT);   // instead of session_start()
//   // POST /session/keepalive (after your CSRF check): sg_keepalive(SESSION_IDLE_TIMEOUT);
//   // GET  /session/status:                             sg_status(SESSION_IDLE_TIMEOUT, $csrfToken);
//
// PHP has no idle timeout of its own. session.gc_maxlifetime only says which session files the
// garbage collector MAY delete, and Debian and Ubuntu never run it from PHP (gc_probability = 0;
// a cron job sweeps /var/lib/php/sessions every 30 minutes). So an idle timeout is the usual
// last-activity check: the session ends `timeout` seconds after the last request that started
// it, and every such request renews it → the guard's `data-renew-on="request"`.
//
// - The last activity is a float (microtime), so the session ends at a precise moment; with
//   time() it would end up to a second late, after the guard said so.
// - Every response of a signed-in user gets `Server-Timing: session;dur=<ms left>`.
// - The session cookie is a browser-session cookie (session.cookie_lifetime = 0): the server's
//   check is what ends the session.

const SG_LAST_ACTIVITY = 'sg_last_activity';
const SG_USER = 'user';

/** session.* settings that matter for the guard; call before any session_start(). */
function sg_configure(int $timeout): void
{
    ini_set('session.cookie_lifetime', '0');
    ini_set('session.use_strict_mode', '1');
    ini_set('session.use_only_cookies', '1');
    ini_set('session.cookie_httponly', '1');
    ini_set('session.cookie_samesite', 'Lax');
    // Keep the files at least as long as the timeout when the collector does run (not Debian's default).
    ini_set('session.gc_maxlifetime', (string) max($timeout, (int) ini_get('session.gc_maxlifetime')));
}

/** Seconds the session in $_SESSION has left (may be negative), or null when nobody is signed in. */
function sg_left(array $session, int $timeout, ?float $now = null): ?float
{
    if (!isset($session[SG_USER], $session[SG_LAST_ACTIVITY])) return null;
    return (float) $session[SG_LAST_ACTIVITY] + $timeout - ($now ?? microtime(true));
}

function sg_server_timing(float $left): void
{
    header('Server-Timing: session;dur=' . max(0, (int) round($left * 1000)));
}

/**
 * Starts the session, ends it when it was idle for `timeout` seconds, and renews it (this
 * request is activity). Returns whether a user is signed in. Sessions are started only for a
 * browser that already has a session cookie (a login starts one itself).
 */
function sg_session_start(int $timeout): bool
{
    sg_configure($timeout);
    if (!isset($_COOKIE[session_name()])) return false;
    session_start();
    $now = microtime(true);
    $left = sg_left($_SESSION, $timeout, $now);
    if ($left === null) return false;
    if ($left <= 0) {
        sg_session_end();
        return false;
    }
    $_SESSION[SG_LAST_ACTIVITY] = $now; // this request renews the session
    sg_server_timing($timeout);
    return true;
}

/** Reads the session without renewing it: seconds left, or null when gone or signed out. */
function sg_session_peek(int $timeout): ?float
{
    sg_configure($timeout);
    if (!isset($_COOKIE[session_name()])) return null;
    // read_and_close: no lock held, nothing written back, last activity untouched.
    session_start(['read_and_close' => true]);
    $left = sg_left($_SESSION, $timeout);
    return $left !== null && $left > 0 ? $left : null;
}

/** Destroys the current session and its cookie. */
function sg_session_end(): void
{
    $_SESSION = [];
    $p = session_get_cookie_params();
    setcookie(session_name(), '', [
        'expires' => time() - 3600, 'path' => $p['path'], 'domain' => $p['domain'],
        'secure' => $p['secure'], 'httponly' => $p['httponly'], 'samesite' => $p['samesite'] ?: 'Lax',
    ]);
    session_destroy();
}

function sg_json(int $status, array $body): void
{
    http_response_code($status);
    header('Content-Type: application/json');
    header('Cache-Control: no-store');
    echo json_encode($body);
}

/** POST keepAliveUrl, after sg_session_start() (which renewed the session) and your CSRF check. */
function sg_keepalive(int $timeout, bool $signedIn): void
{
    if (($_SERVER['HTTP_X_REQUESTED_WITH'] ?? '') !== 'XMLHttpRequest') {
        sg_json(400, ['error' => 'X-Requested-With: XMLHttpRequest is required']);
    } elseif (!$signedIn) {
        sg_json(401, ['error' => 'signed out']);
    } else {
        sg_json(200, ['expiresIn' => $timeout]);
    }
}

/** GET statusUrl: the time left WITHOUT renewing (do not call sg_session_start() before it). */
function sg_status(int $timeout, ?callable $csrfToken = null): void
{
    if (($_SERVER['HTTP_X_REQUESTED_WITH'] ?? '') !== 'XMLHttpRequest') {
        sg_json(400, ['error' => 'X-Requested-With: XMLHttpRequest is required']);
        return;
    }
    $left = sg_session_peek($timeout);
    if ($left === null) {
        sg_json(401, ['error' => 'signed out']);
        return;
    }
    sg_server_timing($left);
    $body = ['expiresIn' => round($left, 3)];
    $token = $csrfToken ? $csrfToken($_SESSION) : null;
    if ($token) $body['csrfToken'] = $token;
    sg_json(200, $body);
}
