/**
 * Whether an HTTP status means a server is up; shared by the `bot_api` check and the `http_up` verify so the two
 * never disagree. A bare server answers anything below 500 when alive (telegram-bot-api: 404 on `/`; a 5xx is a
 * proxy in front of a dead one); a health endpoint must say 2xx/3xx.
 */
export function isServerUp(status: number, isHealthEndpoint: boolean): boolean {
  return isHealthEndpoint ? status >= 200 && status < 400 : status < 500;
}
