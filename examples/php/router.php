<?php
// A minimal plain-PHP site guarded by session-guard's script tag, for PHP's built-in server:
//
//   SESSION_IDLE_TIMEOUT=60 SG_WARN_BEFORE=30 php -S 127.0.0.1:8083 examples/php/router.php
//
// Only session_guard.php is what your app needs; this is a small site around it: a login (any
// user name and any non-empty password), a form worth protecting, logout, a JSON API, the
// keep-alive and status routes, and the built package at /session-guard/.
//
//   SESSION_IDLE_TIMEOUT  idle timeout in seconds (default 1800)
//   SG_WARN_BEFORE        seconds before expiry the guard warns (default 120)
//   SG_SESSION_DIR        session.save_path (default: PHP's, /var/lib/php/sessions on Debian)
//   SESSION_GUARD_DIST    the built package served at /session-guard/ (default: <repo>/dist)
//   SG_TEST_HOOKS         "1" mounts /__test/ routes for the end-to-end tests (never in production)

declare(strict_types=1);

require __DIR__ . '/session_guard.php';

$timeout = (int) (getenv('SESSION_IDLE_TIMEOUT') ?: 1800);
$warnBefore = (int) (getenv('SG_WARN_BEFORE') ?: 120);
$dist = getenv('SESSION_GUARD_DIST') ?: dirname(__DIR__, 2) . '/dist';
$testHooks = getenv('SG_TEST_HOOKS') === '1';
if (getenv('SG_SESSION_DIR')) ini_set('session.save_path', getenv('SG_SESSION_DIR'));
// Plain serialize() in the session files (the test hook reads them without session_start).
ini_set('session.serialize_handler', 'php_serialize');

$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?: '/';
$method = $_SERVER['REQUEST_METHOD'];
header('X-Content-Type-Options: nosniff');

function h(?string $s): string
{
    return htmlspecialchars((string) $s, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
}

function safe_next(?string $next): string
{
    $next = (string) $next;
    $ok = str_starts_with($next, '/') && !str_starts_with($next, '//') && !str_contains($next, '\\')
        && !preg_match('/[\x00-\x1f]/', $next);
    return $ok ? $next : '/form';
}

function page(string $title, string $body, string $head = '', ?array $session = null): void
{
    header('Content-Type: text/html; charset=utf-8');
    header('Cache-Control: no-store');
    $header = '';
    if ($session && isset($session['user'])) {
        $header = '<header>Signed in as <strong id="user">' . h($session['user']) . '</strong> '
            . '<form method="post" action="/logout"><input type="hidden" name="csrf_token" value="' . h($session['csrf']) . '">'
            . '<button type="submit">Log out</button></form></header>';
    }
    echo "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<link rel=\"icon\" href=\"data:,\">\n"
        . '<title>' . h($title) . " · session-guard PHP example</title>\n$head\n</head>\n<body>\n$header\n<main>\n$body\n</main>\n</body>\n</html>\n";
}

function login_page(string $next, string $error = ''): void
{
    page('Log in', '<h1>Log in</h1>'
        . ($error ? '<p id="login-error">' . h($error) . '</p>' : '')
        . '<p>Example only: any user name and any non-empty password will do.</p>
<form method="post" action="/login" id="login-form">
  <input type="hidden" name="next" value="' . h($next) . '">
  <label for="username">User name</label> <input id="username" name="username" autocomplete="username" required>
  <label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Log in</button>
</form>');
}

/** The token of this session from the guard's header or the form field; a mismatch answers 400 (a 403 reads as "expired"). */
function csrf_ok(): bool
{
    $sent = $_SERVER['HTTP_X_CSRF_TOKEN'] ?? ($_POST['csrf_token'] ?? '');
    return isset($_SESSION['csrf']) && is_string($sent) && hash_equals($_SESSION['csrf'], $sent);
}

// --- Routes that never touch a session -----------------------------------------------------

if (str_starts_with($path, '/session-guard/')) {
    // The built package, for the script tag (serve it from your web server in production).
    $file = realpath($dist . '/' . substr($path, strlen('/session-guard/')));
    if ($file === false || !str_starts_with($file, realpath($dist) . '/') || !is_file($file)) {
        http_response_code(404);
        return;
    }
    $types = ['wasm' => 'application/wasm', 'js' => 'text/javascript', 'json' => 'application/json', 'ts' => 'text/plain', 'map' => 'application/json'];
    header('Content-Type: ' . ($types[pathinfo($file, PATHINFO_EXTENSION)] ?? 'application/octet-stream'));
    header('Cache-Control: no-cache');
    readfile($file);
    return;
}

if ($path === '/session/status' && $method === 'GET') {
    sg_status($timeout, fn (array $s) => $s['csrf'] ?? null); // reads the session, renews nothing
    return;
}

if ($testHooks && $path === '/__test/session') {
    // The session file of ?id=, read directly (no session_start: nothing locked, written or renewed).
    $id = (string) ($_GET['id'] ?? '');
    $file = rtrim(ini_get('session.save_path') ?: sys_get_temp_dir(), '/') . "/sess_$id";
    $data = preg_match('/^[A-Za-z0-9,-]{16,256}$/', $id) && is_file($file) ? unserialize((string) file_get_contents($file)) : false;
    $left = is_array($data) ? sg_left($data, $timeout) : null;
    if ($left === null) {
        sg_json(200, ['exists' => false]);
    } else {
        $at = ((float) $data[SG_LAST_ACTIVITY] + $timeout) * 1000;
        sg_json(200, ['exists' => $left > 0, 'expiresAt' => $at, 'lastActivity' => (float) $data[SG_LAST_ACTIVITY] * 1000]);
    }
    return;
}

if (!in_array($path, ['/', '/login', '/logout', '/form', '/api/me', '/session/keepalive'], true)) {
    http_response_code(404);
    header('Content-Type: text/plain');
    echo "Not found\n";
    return;
}

if ($testHooks && ($_SERVER['HTTP_X_TEST_NO_SERVER_TIMING'] ?? '') === '1') {
    // The response goes out without Server-Timing, as if session_guard.php did not add it
    // (renewOn alone must mirror the server). Shutdown functions run before buffers are flushed.
    ob_start();
    register_shutdown_function(fn () => header_remove('Server-Timing'));
}

// --- The session: started, expired after `timeout` idle seconds, renewed by this request ----

$signedIn = sg_session_start($timeout);

switch ("$method $path") {
    case 'GET /':
        header('Location: ' . ($signedIn ? '/form' : '/login'), true, 302);
        break;

    case 'GET /login':
        login_page(safe_next($_GET['next'] ?? ''));
        break;

    case 'POST /login':
        $username = trim((string) ($_POST['username'] ?? ''));
        $password = (string) ($_POST['password'] ?? '');
        $next = safe_next($_POST['next'] ?? '');
        if ($username === '' || $password === '' || strlen($username) > 64) {
            http_response_code(400);
            login_page($next, 'Please enter a user name and a password.');
            break;
        }
        // Demo only: any name and any non-empty password signs in. A fresh session id (no fixation).
        if (session_status() !== PHP_SESSION_ACTIVE) session_start();
        session_regenerate_id(true);
        $_SESSION = ['user' => $username, 'csrf' => bin2hex(random_bytes(24)), SG_LAST_ACTIVITY => microtime(true)];
        header_remove('Server-Timing'); // it described the session being replaced
        sg_server_timing($timeout);
        header("Location: $next", true, 303);
        break;

    case 'GET /form':
    case 'POST /form':
        if (!$signedIn) {
            header('Location: /login?next=' . rawurlencode($path), true, $method === 'GET' ? 302 : 303);
            break;
        }
        if ($method === 'POST') {
            if (!csrf_ok()) {
                http_response_code(400);
                page('Bad request', '<h1>Bad request</h1><p>The form was out of date (invalid CSRF token).</p>', '', $_SESSION);
            } else {
                page('Saved', '<h1 id="saved-title">Saved</h1><pre id="saved-message">' . h($_POST['message'] ?? '') . '</pre><p><a href="/form">Back to the form</a></p>', '', $_SESSION);
            }
            break;
        }
        // The guard: every request renews a PHP session with the last-activity check → renew-on "request".
        $tag = '<meta name="csrf-token" content="' . h($_SESSION['csrf']) . '">' . "\n"
            . '<script src="/session-guard/session-guard.js" data-timeout="' . $timeout . '" data-warn-before="' . $warnBefore . '"'
            . ' data-renew-on="request" data-keepalive-url="/session/keepalive" data-login-url="/login" data-logout-url="/logout"'
            . ' data-user="' . h($_SESSION['user']) . '" defer></script>';
        page('Request', '<h1>Send us a request</h1>
<form method="post" action="/form" id="request-form">
  <input type="hidden" name="csrf_token" value="' . h($_SESSION['csrf']) . '">
  <label for="subject">Subject</label> <input id="subject" name="subject">
  <label for="message">Message</label> <textarea id="message" name="message" rows="8" cols="60"></textarea>
  <button type="submit" id="submit">Send</button>
</form>', $tag, $_SESSION);
        break;

    case 'POST /logout':
        if ($signedIn && !csrf_ok()) {
            sg_json(400, ['error' => 'bad CSRF token']);
            break;
        }
        if (session_status() === PHP_SESSION_ACTIVE) sg_session_end();
        header_remove('Server-Timing');
        header('Location: /login?loggedout=1', true, 303);
        break;

    case 'GET /api/me':
        $signedIn ? sg_json(200, ['user' => $_SESSION['user']]) : sg_json(401, ['error' => 'signed out']);
        break;

    case 'POST /session/keepalive':
        if ($signedIn && !csrf_ok()) {
            sg_json(400, ['error' => 'bad CSRF token']); // 400, not 403: the session is alive
            break;
        }
        sg_keepalive($timeout, $signedIn);
        break;

    default:
        http_response_code(405);
        header('Content-Type: text/plain');
        echo "Method not allowed\n";
}
