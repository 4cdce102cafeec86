-- wrk script: vim25's RetrieveServiceContent (POST /sdk, no session), the first call every SOAP
-- client makes and vcsim's usual request-rate figure (8-10k req/s on this machine).
wrk.method = "POST"
wrk.path = "/sdk"
wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
wrk.headers["SOAPAction"] = '"urn:vim25/9.1.1.0"'
wrk.body = '<?xml version="1.0" encoding="UTF-8"?>'
  .. '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"'
  .. ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>'
  .. '<RetrieveServiceContent xmlns="urn:vim25">'
  .. '<_this type="ServiceInstance">ServiceInstance</_this>'
  .. '</RetrieveServiceContent></soapenv:Body></soapenv:Envelope>'
