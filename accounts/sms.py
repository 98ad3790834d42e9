"""SMS gateways for the second factor."""

import logging

logger = logging.getLogger("zlogin.sms")


class LogGateway:
    """Development gateway: writes the code to the log, never to the page."""

    def make_call(self, device, token):
        logger.info("Voice call to %s: code %s", device.number, token)

    def send_sms(self, device, token):
        logger.info("SMS to %s: Uw Z login code is %s", device.number, token)
