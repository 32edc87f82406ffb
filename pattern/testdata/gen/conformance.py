import json
out=[]
def q(s): return json.dumps(s, ensure_ascii=False)
def block(comment, pattern, *exps):
    out.append("# "+comment)
    out.append("pattern "+(q(pattern) if (pattern[:1]!='{' or '\n' in pattern) else pattern))
    for kind, val in exps:
        if kind=='error':
            out.append("error "+q(val))
        else:
            out.append(kind+" "+val)
    out.append("")
def loc(src,line,col):
    return '[Source: (String)"%s"; line: %d, column: %d]'%(src,line,col)
def err(src, reason, col=None, line=1, doubled=False):
    m="Event pattern is not valid. Reason: "+reason
    if col is not None:
        m+="\n at "+loc(src,line,col)
        if doubled: m+="\n at "+loc(src,line,col)
    return ('error', m)
def after(s, sub, k=1):
    i=-1
    for _ in range(k): i=s.index(sub,i+1)
    return i+len(sub)+1          # 1-based column just past sub
def openq(s, text, k=1):       # just past the opening quote of "text"
    return after(s,'"'+text+'"',k)-len(text)-1
M=lambda e:('match',e); N=lambda e:('nomatch',e)

# ---------- exact values ----------
block("exact string, case-sensitive (docs: Event patterns)", '{"source":["aws.ec2"]}',
      M('{"source":"aws.ec2"}'), N('{"source":"AWS.EC2"}'), N('{"source":"aws.ec2x"}'), N('{"other":"aws.ec2"}'))
block("a list of values matches any of them", '{"detail":{"state":["running","stopped"]}}',
      M('{"detail":{"state":"stopped"}}'), N('{"detail":{"state":"pending"}}'))
block("exact number compares by value: [300] matches 300.0", '{"a":[300]}',
      M('{"a":300}'), M('{"a":300.0}'), M('{"a":3e2}'), M('{"a":3.00E+2}'), N('{"a":"300"}'), N('{"a":301}'))
block("exact negative and fractional numbers", '{"a":[-1.5, 0]}',
      M('{"a":-1.50}'), M('{"a":-0}'), M('{"a":0.0}'), N('{"a":1.5}'))
block("true, false and null match only the JSON literal", '{"a":[true],"b":[false],"c":[null]}',
      M('{"a":true,"b":false,"c":null}'), N('{"a":"true","b":false,"c":null}'), N('{"a":true,"b":false}'))
block("null does not match a missing field", '{"c":[null]}', M('{"c":null}'), N('{"d":null}'), N('{"c":"null"}'))
block("empty string matches only the empty string", '{"a":[""]}', M('{"a":""}'), N('{"a":" "}'), N('{"a":null}'), N('{}'))
block("string values never match numbers", '{"a":["5"]}', M('{"a":"5"}'), N('{"a":5}'))
block("every field in the pattern must match (AND)", '{"source":["s"],"detail-type":["t"]}',
      M('{"source":"s","detail-type":"t","x":1}'), N('{"source":"s","detail-type":"u"}'), N('{"source":"s"}'))
block("a field whose event value is an object does not match a value list", '{"a":["x"]}', N('{"a":{"b":"x"}}'))
block("unicode escapes in events are decoded", '{"a":["é✓"]}', M('{"a":"\\u00e9\\u2713"}'), M('{"a":"é✓"}'))
block("escapes in pattern strings are decoded", '{"a":["x\\"y"]}', M('{"a":"x\\"y"}'), N('{"a":"x\\\\\\"y"}'))
# ---------- prefix / suffix ----------
block("prefix (docs example)", '{"time":[{"prefix":"2017-10-02"}]}',
      M('{"time":"2017-10-02T18:43:48Z"}'), N('{"time":"2017-10-03T18:43:48Z"}'), N('{"time":20171002}'))
block("empty prefix matches every string and nothing else", '{"a":[{"prefix":""}]}', M('{"a":""}'), M('{"a":"x"}'), N('{"a":1}'), N('{"a":null}'))
block("suffix (docs example)", '{"FileName":[{"suffix":".png"}]}', M('{"FileName":"image.png"}'), N('{"FileName":"image.PNG"}'), N('{"FileName":"png"}'))
block("prefix with equals-ignore-case", '{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}',
      M('{"detail":{"service":"eventbridge"}}'), M('{"detail":{"service":"EVENTB"}}'), N('{"detail":{"service":"Event"}}'))
block("suffix with equals-ignore-case", '{"detail":{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}}',
      M('{"detail":{"FileName":"a.PNG"}}'), M('{"detail":{"FileName":"a.pNg"}}'), N('{"detail":{"FileName":"a.jpg"}}'))
# ---------- equals-ignore-case ----------
block("equals-ignore-case", '{"detail-type":[{"equals-ignore-case":"ec2 instance state-change notification"}]}',
      M('{"detail-type":"EC2 Instance State-change Notification"}'), N('{"detail-type":"EC2 Instance State-change Notification!"}'))
block("equals-ignore-case folds non-ASCII letters", '{"a":[{"equals-ignore-case":"ÉTÉ"}]}', M('{"a":"été"}'), N('{"a":"ete"}'))
# ---------- wildcard ----------
block("wildcard (docs example)", '{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}',
      M('{"EventBusArn":"arn:aws:events:us-east-1:123456789012:event-bus/default"}'),
      N('{"EventBusArn":"arn:aws:events:us-west-2:123456789012:event-bus/default"}'))
block("wildcard star matches the empty string", '{"a":[{"wildcard":"a*b*c"}]}', M('{"a":"abc"}'), M('{"a":"aXbYc"}'), M('{"a":"abbbc"}'), N('{"a":"acb"}'), N('{"a":"abcX"}'))
block("wildcard with escaped star matches a literal star", '{"a":[{"wildcard":"a\\\\*b"}]}', M('{"a":"a*b"}'), N('{"a":"aXb"}'))
block("wildcard with escaped backslash", '{"a":[{"wildcard":"a\\\\\\\\*"}]}', M('{"a":"a\\\\"}'), M('{"a":"a\\\\bc"}'), N('{"a":"ab"}'))
block("wildcard without star is exact", '{"a":[{"wildcard":"abc"}]}', M('{"a":"abc"}'), N('{"a":"abcd"}'))
block("wildcard only matches strings", '{"a":[{"wildcard":"*"}]}', M('{"a":""}'), M('{"a":"x"}'), N('{"a":5}'), N('{"a":null}'))
# ---------- anything-but ----------
block("anything-but a string (docs)", '{"detail":{"state":[{"anything-but":"initializing"}]}}',
      M('{"detail":{"state":"running"}}'), N('{"detail":{"state":"initializing"}}'), N('{"detail":{}}'))
block("anything-but matches null but not a missing field", '{"a":[{"anything-but":"x"}]}',
      M('{"a":null}'), M('{"a":true}'), M('{"a":5}'), N('{"b":"y"}'), N('{"a":[]}'))
block("anything-but a number (docs)", '{"detail":{"x-limit":[{"anything-but":123}]}}',
      M('{"detail":{"x-limit":456}}'), N('{"detail":{"x-limit":123}}'), N('{"detail":{"x-limit":123.0}}'), M('{"detail":{"x-limit":"123"}}'))
block("anything-but a list of strings (docs)", '{"detail":{"state":[{"anything-but":["stopped","overloaded"]}]}}',
      M('{"detail":{"state":"running"}}'), N('{"detail":{"state":"stopped"}}'), N('{"detail":{"state":"overloaded"}}'))
block("anything-but a list of numbers (docs)", '{"detail":{"x-limit":[{"anything-but":[100,200,300]}]}}',
      M('{"detail":{"x-limit":150}}'), N('{"detail":{"x-limit":2e2}}'))
block("anything-but prefix (docs)", '{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}',
      M('{"detail":{"state":"running"}}'), N('{"detail":{"state":"initializing"}}'), M('{"detail":{"state":null}}'))
block("anything-but prefix list", '{"a":[{"anything-but":{"prefix":["x","y"]}}]}', M('{"a":"zed"}'), N('{"a":"yes"}'), N('{"a":"xx"}'))
block("anything-but suffix (docs)", '{"detail":{"FileName":[{"anything-but":{"suffix":".txt"}}]}}',
      M('{"detail":{"FileName":"a.png"}}'), N('{"detail":{"FileName":"a.txt"}}'))
block("anything-but suffix list", '{"a":[{"anything-but":{"suffix":[".txt",".md"]}}]}', M('{"a":"a.png"}'), N('{"a":"a.md"}'))
block("anything-but equals-ignore-case (docs)", '{"detail":{"state":[{"anything-but":{"equals-ignore-case":"Stopped"}}]}}',
      M('{"detail":{"state":"running"}}'), N('{"detail":{"state":"STOPPED"}}'))
block("anything-but equals-ignore-case list", '{"a":[{"anything-but":{"equals-ignore-case":["X","y"]}}]}', M('{"a":"z"}'), N('{"a":"x"}'), N('{"a":"Y"}'))
block("anything-but wildcard (docs)", '{"detail":{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}}',
      M('{"detail":{"FilePath":"/usr/bin/x"}}'), N('{"detail":{"FilePath":"/usr/lib/x"}}'))
block("anything-but wildcard list", '{"a":[{"anything-but":{"wildcard":["*.txt","tmp/*"]}}]}', M('{"a":"a.png"}'), N('{"a":"tmp/a.png"}'), N('{"a":"b.txt"}'))
block("anything-but with an array event: any element not excluded matches", '{"a":[{"anything-but":"x"}]}', M('{"a":["x","y"]}'), N('{"a":["x","x"]}'))
# ---------- numeric ----------
block("numeric range (docs)", '{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}]}}',
      M('{"detail":{"c-count":5}}'), M('{"detail":{"c-count":0.001}}'), N('{"detail":{"c-count":0}}'), N('{"detail":{"c-count":5.0001}}'), N('{"detail":{"c-count":"3"}}'))
block("numeric <", '{"a":[{"numeric":["<",10]}]}', M('{"a":9.999}'), M('{"a":-1e300}'), N('{"a":10}'))
block("numeric <=", '{"a":[{"numeric":["<=",10]}]}', M('{"a":10}'), N('{"a":10.5}'))
block("numeric >", '{"a":[{"numeric":[">",10]}]}', M('{"a":10.000001}'), N('{"a":10}'))
block("numeric >=", '{"a":[{"numeric":[">=",10]}]}', M('{"a":10}'), M('{"a":1e308}'), N('{"a":9}'))
block("numeric =", '{"a":[{"numeric":["=",3.018e2]}]}', M('{"a":301.8}'), N('{"a":301.80001}'))
block("numeric range with both ends closed", '{"a":[{"numeric":[">=",-5,"<=",-1]}]}', M('{"a":-5}'), M('{"a":-1}'), N('{"a":0}'))
block("numeric over the full float64 range", '{"a":[{"numeric":[">",1e300,"<",1.7976931348623157e308]}]}', M('{"a":5e307}'), N('{"a":1e300}'))
block("numeric tiny values", '{"a":[{"numeric":[">",0,"<",1e-300]}]}', M('{"a":5e-324}'), N('{"a":0}'), N('{"a":-0.0}'))
block("numeric never matches strings", '{"a":[{"numeric":[">",0]}]}', N('{"a":"5"}'), N('{"a":true}'))
# ---------- exists ----------
block("exists true matches any value, null included", '{"a":[{"exists":true}]}', M('{"a":"x"}'), M('{"a":null}'), M('{"a":[1]}'), N('{"b":1}'))
block("exists true does not match [] or an object", '{"a":[{"exists":true}]}', N('{"a":[]}'), N('{"a":{}}'), N('{"a":{"b":1}}'))
block("exists false matches a missing field and []", '{"a":[{"exists":false}]}', M('{"b":1}'), M('{"a":[]}'), M('{"a":{}}'), N('{"a":null}'), N('{"a":"x"}'))
block("exists false on a nested field", '{"detail":{"c-count":[{"exists":false}]}}', M('{"detail":{"d":1}}'), M('{}'), N('{"detail":{"c-count":0}}'))
# ---------- cidr ----------
block("cidr IPv4 (docs)", '{"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/24"}]}}',
      M('{"detail":{"sourceIPAddress":"10.0.0.255"}}'), N('{"detail":{"sourceIPAddress":"10.0.1.0"}}'), N('{"detail":{"sourceIPAddress":"bogus"}}'))
block("cidr host bits of the base address are ignored", '{"a":[{"cidr":"54.240.196.171/24"}]}', M('{"a":"54.240.196.0"}'), M('{"a":"54.240.196.255"}'))
block("cidr IPv6", '{"a":[{"cidr":"2001:db8::/32"}]}', M('{"a":"2001:db8::1"}'), M('{"a":"2001:0DB8:ffff::"}'), N('{"a":"2001:db9::"}'), N('{"a":"10.0.0.1"}'))
block("an exact IP string matches the same address written differently", '{"a":["2001:db8::1"]}', M('{"a":"2001:0db8:0:0:0:0:0:1"}'), N('{"a":"2001:db8::2"}'))
# ---------- $or ----------
block("$or at the top level (docs)", '{"$or":[{"source":["aws.ec2"]},{"source":["aws.s3"]}]}', M('{"source":"aws.s3"}'), N('{"source":"my.app"}'))
block("$or combined with other fields (docs)", '{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}]}',
      M('{"source":"aws.cloudwatch","namespace":"AWS/ES"}'), M('{"source":"aws.cloudwatch","metricName":"ReadLatency"}'), N('{"source":"aws.ec2","namespace":"AWS/ES"}'))
block("$or inside a nested object", '{"detail":{"$or":[{"c-count":[{"numeric":[">",0,"<=",5]}]},{"d-count":[{"numeric":["<",10]}]},{"x-limit":[{"numeric":["=",3.018e2]}]}]}}',
      M('{"detail":{"x-limit":301.8}}'), M('{"detail":{"d-count":3}}'), N('{"detail":{"c-count":6}}'))
block("nested $or", '{"$or":[{"a":["1"]},{"$or":[{"b":["2"]},{"c":["3"]}]}]}', M('{"c":"3"}'), M('{"a":"1"}'), N('{"d":"4"}'))
block("a rule matched by several $or branches is reported once", '{"$or":[{"a":["1"]},{"b":["2"]}]}', M('{"a":"1","b":"2"}'))
# ---------- paths ----------
block("a dotted key addresses nested fields", '{"detail.state":["x"]}', M('{"detail":{"state":"x"}}'), M('{"detail.state":"x"}'), N('{"detail":{"state":"y"}}'))
block("dotted and nested keys combine", '{"a.b":{"c":["1"]}}', M('{"a":{"b":{"c":"1"}}}'))
block("a repeated key in the pattern: the last one wins", '{"a":["1"],"a":["2"]}', M('{"a":"2"}'), N('{"a":"1"}'))
block("a repeated key in the event: either value can match", '{"a":["1"]}', M('{"a":"2","a":"1"}'))
# ---------- arrays ----------
block("an event array matches when any element matches (docs)", '{"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}',
      M('{"resources":["arn:aws:autoscaling:us-east-1:123456789012:x","arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}'), N('{"resources":[]}'))
block("fields from different elements of one array never combine", '{"x":{"a":[1],"b":[4]}}',
      N('{"x":[{"a":1,"b":2},{"a":3,"b":4}]}'), M('{"x":[{"a":1,"b":2},{"a":1,"b":4}]}'))
block("fields of the same array element combine", '{"x":{"a":[3],"b":[4]}}', M('{"x":[{"a":1,"b":2},{"a":3,"b":4}]}'))
block("nested arrays of objects", '{"x":{"y":{"a":["p"],"b":["q"]}}}', M('{"x":[{"y":[{"a":"p"},{"a":"p","b":"q"}]}]}'), N('{"x":[{"y":[{"a":"p"},{"b":"q"}]}]}'))
block("arrays of scalars inside array elements", '{"x":{"a":[1],"b":[2]}}', M('{"x":[{"a":[0,1],"b":[2,3]}]}'))
block("a field outside the array combines with any element", '{"s":["k"],"x":{"a":[3]}}', M('{"s":"k","x":[{"a":1},{"a":3}]}'))

# ---------- errors ----------
def E(comment, pat, reason, col=None, line=1, doubled=False):
    block(comment, pat, err(pat, reason, col, line, doubled))
p='{"source":"aws.ec2"}'; E('"<key>" must be an object or an array; the location is just past the opening quote', p, '"source" must be an object or an array', openq(p,'aws.ec2'))
p='{"a":5}'; E('a number where a list is expected', p, '"a" must be an object or an array', after(p,'5'))
p='{"source":[]}'; E('Empty arrays are not allowed', p, 'Empty arrays are not allowed', after(p,']'))
p='{"a":{}}'; E('Empty objects are not allowed', p, 'Empty objects are not allowed', after(p,'}'))
p='{"source": ["aws.health"], "detail": {}}'; E('Empty objects: a message seen from AWS (column 40)', p, 'Empty objects are not allowed', 40)
p='{}'; E('an empty pattern is an empty object', p, 'Empty objects are not allowed', 3)
p='{"a":[{"foo":1}]}'; E('Unrecognized match type: the value after the name is already read', p, 'Unrecognized match type foo', after(p,'1'))
p='{"a":[{"foo":"x"}]}'; E('Unrecognized match type with a string operand', p, 'Unrecognized match type foo', openq(p,'x'))
p='{"a":[{"numeric":5}]}'; E('Value of numeric must be an array.', p, 'Value of numeric must be an array.', after(p,'5'))
p='{"a":[{"numeric":[">",0,">",5]}]}'; E('Bad numeric range operator', p, 'Bad numeric range operator: >', after(p,'">"',2))
p='{"a":[{"numeric":[">","5"]}]}'; E('Value of > must be numeric', p, 'Value of > must be numeric', openq(p,'5'))
p='{"a":[{"numeric":["<=",true]}]}'; E('Value of <= must be numeric', p, 'Value of <= must be numeric', after(p,'true'))
p='{"a":[{"numeric":["=","x"]}]}'; E('Value of equals must be numeric', p, 'Value of equals must be numeric', openq(p,'x'))
p='{"a":[{"numeric":[">",0,"<","x"]}]}'; E('Value of < must be numeric in a range', p, 'Value of < must be numeric', openq(p,'x'))
p='{"a":[{"numeric":[5]}]}'; E('Invalid member in numeric match', p, 'Invalid member in numeric match: 5', after(p,'5'))
p='{"a":[{"numeric":["!",5]}]}'; E('Unrecognized numeric range operator', p, 'Unrecognized numeric range operator: !', after(p,'5'))
p='{"a":[{"numeric":["=",5,6]}]}'; E('Too many elements in numeric expression', p, 'Too many elements in numeric expression', after(p,'6'))
p='{"a":[{"numeric":[">",0,"<",5,6]}]}'; E('Too many terms in numeric range expression', p, 'Too many terms in numeric range expression', after(p,'6'))
p='{"a":[{"numeric":[">",0,5]}]}'; E('Bad value in numeric range', p, 'Bad value in numeric range: 5', after(p,'5'))
p='{"a":[{"numeric":[">",5,"<=",5]}]}'; E('Bottom must be less than top', p, 'Bottom must be less than top', after(p,']'))
p='{"a":[{"prefix":5}]}'; E('prefix match pattern must be a string', p, 'prefix match pattern must be a string', after(p,'5'))
p='{"a":[{"suffix":null}]}'; E('suffix match pattern must be a string', p, 'suffix match pattern must be a string', after(p,'null'))
p='{"a":[{"wildcard":1}]}'; E('wildcard match pattern must be a string', p, 'wildcard match pattern must be a string', after(p,'1'))
p='{"a":[{"equals-ignore-case":[]}]}'; E('equals-ignore-case match pattern must be a string', p, 'equals-ignore-case match pattern must be a string', after(p,'case":['))
p='{"a":[{"prefix":{"equals-ignore-case":5}}]}'; E('prefix equals-ignore-case operand must be a string', p, 'equals-ignore-case match pattern must be a string', after(p,'5'))
p='{"a":[{"prefix":{"foo":"x"}}]}'; E('Unsupported prefix pattern', p, 'Unsupported prefix pattern: foo', openq(p,'x'))
p='{"a":[{"wildcard":"a**b"}]}'; E('Consecutive wildcard characters: pos counts from a leading quote', p, 'Consecutive wildcard characters at pos 2', after(p,'"a**b"'))
p='{"a":[{"wildcard":"a\\\\b"}]}'; E('Invalid escape character in a wildcard', p, 'Invalid escape character at pos 2', after(p,'"a\\\\b"'))
p='{"a":[{"anything-but":{"prefix":""}}]}'; E('Null prefix/suffix not allowed', p, 'Null prefix/suffix not allowed', after(p,'""'))
p='{"a":[{"anything-but":{"suffix":["x",""]}}]}'; E('Null prefix/suffix in a list: AWS rethrows, so the location appears twice', p, 'Null prefix/suffix not allowed', after(p,'""'), doubled=True)
p='{"a":[{"anything-but":null}]}'; E('Value of anything-but must be an array or single string/number value.', p, 'Value of anything-but must be an array or single string/number value.', after(p,'null'))
p='{"a":[{"anything-but":[1,null]}]}'; E('Inside anything but list (rethrown, location twice)', p, 'Inside anything but list, start|null|boolean is not supported.', after(p,'null'), doubled=True)
p='{"a":[{"anything-but":["a",1]}]}'; E('mixed anything-but list', p, 'Inside anything but list, either all values are number or string, mixed type is not supported', after(p,']'))
p='{"a":[{"anything-but":{"equals-ignore-case":5}}]}'; E('anything-but equals-ignore-case with a number', p, 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.', after(p,'5'))
p='{"a":[{"anything-but":{"equals-ignore-case":["a",5]}}]}'; E('anything-but equals-ignore-case list with a number (rethrown)', p, 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.', after(p,'5'), doubled=True)
p='{"a":[{"anything-but":{"prefix":5}}]}'; E('anything-but prefix with a number', p, 'prefix/suffix match pattern must be a string', after(p,'5'))
p='{"a":[{"anything-but":{"wildcard":["a**"]}}]}'; E('anything-but wildcard checked after the list', p, 'Consecutive wildcard characters at pos 2', after(p,']'))
p='{"a":[{"anything-but":{"foo":"x"}}]}'; E('Unsupported anything-but pattern', p, 'Unsupported anything-but pattern: foo', openq(p,'x'))
p='{"a":[{"anything-but":{}}]}'; E('Anything-But expression name not found', p, 'Anything-But expression name not found', after(p,'{}'))
p='{"a":[{"anything-but":"x","prefix":"y"}]}'; E('a second key after anything-but', p, 'Too many elements in numeric expression', openq(p,'y'))
p='{"a":[{"exists":"true"}]}'; E('exists match pattern must be either true or false.', p, 'exists match pattern must be either true or false.', openq(p,'true'))
p='{"source":["test-source"],"detail":{"name":[{"exists":"true"}],"age":[{"numeric":[">","25"]}]}}'; E('exists: a message seen from AWS (column 56)', p, 'exists match pattern must be either true or false.', 56)
p='{"a":[{"exists":true,"prefix":"x"}]}'; E('Only one key allowed in match expression', p, 'Only one key allowed in match expression', openq(p,'x'))
p='{"a":[{"prefix":"x","suffix":"y"}]}'; E('Only one key allowed in match expression after a string', p, 'Only one key allowed in match expression', openq(p,'y'))
p='{"a":[{}]}'; E('Match expression name not found', p, 'Match expression name not found', after(p,'{}'))
p='{"a":[[1]]}'; E('Match value must be String, number, true, false, or null', p, 'Match value must be String, number, true, false, or null', after(p,'[[')) 
p='{"a":[{"cidr":"10.0.0.1"}]}'; E('Malformed CIDR (no parser location)', p, "Malformed CIDR, one '/' required")
p='{"a":[{"cidr":"10.0.0.0/x"}]}'; E('Malformed CIDR mask', p, 'Malformed CIDR, mask bits must be an integer')
p='{"a":[{"cidr":"foo/24"}]}'; E('Nonstandard IP address', p, 'Nonstandard IP address: foo')
p='{"a":[{"cidr":"10.0.0.0/33"}]}'; E('IPv4 mask too wide', p, 'IPv4 mask bits must be < 32')
p='{"a":[{"cidr":5}]}'; E('cidr operand must be a string (AWS reuses the prefix text)', p, 'prefix match pattern must be a string', after(p,'5'))
for p,c in [('[]',2),('"abc"',2),('5',2),('',1),('   ',4),('null',5)]:
    E('Filter is not an object', p, 'Filter is not an object', c)
p='{"$or":[{"a":["1"]}]}'; E('There must have at least 2 Objects in $or relationship.', p, 'There must have at least 2 Objects in $or relationship.', after(p,'}]'))
p='{"$or":{"a":["1"]}}'; E('It must be an Array followed with $or.', p, 'It must be an Array followed with $or.', after(p,'{"$or":{'))
p='{"$or":["a",{"b":["1"]}]}'; E('Only JSON object is allowed in array of $or relationship.', p, 'Only JSON object is allowed in array of $or relationship.', openq(p,'a'))
p='{"$or":[{"prefix":["a"]},{"b":["1"]}]}'; E('reserved names inside $or', p, 'prefix is Ruler reserved fieldName which cannot be used inside $or.', after(p,'"prefix":['))
ors=','.join(['"$or":[{"a%d":["1"]},{"b%d":["2"]}]'%(i,i) for i in range(10)])
p='{'+ors+'}'; E('more than 1000 $or combinations (2^10); reason text is this project\'s choice', p, 'Rule is too complex - try using fewer $or combinations')
ors=','.join(['"$or":[{"a%d":["1"]},{"b%d":["2"]}]'%(i,i) for i in range(9)])
block('512 $or combinations are allowed', '{'+ors+'}', M('{"a0":"1","b1":"2","a2":"1","a3":"1","a4":"1","a5":"1","a6":"1","a7":"1","b8":"2"}'))
# syntax errors
p='{"a":["x"'; E('end of input inside an array', p, 'Unexpected end-of-input: expected close marker for Array (start marker at '+loc(p,1,6)+')', len(p)+1)
p='{"a" ["x"]}'; E('missing colon', p, "Unexpected character ('[' (code 91)): was expecting a colon to separate field name and value", after(p,'{"a" ['))
p='{"a":["x"] "b":["y"]}'; E('missing comma between object entries', p, "Unexpected character ('\"' (code 34)): was expecting comma to separate Object entries", after(p,'] "'))
p='{"a":["x" "y"]}'; E('missing comma between array entries', p, "Unexpected character ('\"' (code 34)): was expecting comma to separate Array entries", after(p,'"x" "'))
p='{a:["x"]}'; E('unquoted field name', p, "Unexpected character ('a' (code 97)): was expecting double-quote to start field name", 3)
p='{"a":[1,]}'; E('trailing comma in an array', p, "Unexpected character (']' (code 93)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", after(p,',]'))
p='{"a":}'; E('missing value', p, "Unexpected character ('}' (code 125)): expected a value", after(p,'}'))
p='{"a":[tru]}'; E('bad literal', p, "Unrecognized token 'tru': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", after(p,'tru'))
p='{"a":["x"}'; E('mismatched close marker', p, "Unexpected close marker '}': expected ']' (for Array starting at "+loc(p,1,6)+")", after(p,'}'))
p='{"a":[01]}'; E('leading zero', p, "Invalid numeric value: Leading zeroes not allowed", after(p,'0'))
p='{"a":["\\q"]}'; E('bad escape, found when the string is read', p, "Unrecognized character escape 'q' (code 113)", after(p,'\\q'))
p='{"a":["x"]}  trailing'; block('text after the pattern object is ignored, as AWS does', p, M('{"a":"x"}'))
# line numbers
p='{\n  "detail-type": [ "Build Started", "Build Finished" ],\n  "detail": {\n    "pipeline": {\n      "slug": "some-pipeline"\n    }\n  }\n}'
E('a multi-line pattern: line and column (a message seen from AWS: line 5, column 16)', p, '"slug" must be an object or an array', 16, line=5)
p='{\r\n"a":\r\n5}'; E('CR LF counts as one line', p, '"a" must be an object or an array', 2, line=3)
# truncation of long sources
long='{"a":["'+'x'*600+'"],"b":5}'
m="Event pattern is not valid. Reason: \"b\" must be an object or an array\n at [Source: (String)\"%s\"[truncated %d chars]; line: 1, column: %d]"%(long[:500], len(long)-500, after(long,'5'))
block('Jackson quotes at most 500 characters of the pattern', long, ('error', m))
# wildcard complexity (threshold is this project's choice)
wl=','.join('{"wildcard":"*x%d*"}'%i for i in range(100))
p='{"a":['+wl+']}'; E('100 unanchored wildcards on one field are too complex (threshold chosen, not published by AWS)', p, 'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character')
wl=','.join('{"wildcard":"x%d*"}'%i for i in range(60))
block('60 wildcards on one field are accepted', '{"a":['+wl+']}', M('{"a":"x59yz"}'), N('{"a":"y"}'))
# too long
p='{"a":["'+'y'*4087+'"]}'
block('patterns over 4096 characters break the API model constraint', p, ('error', "1 validation error detected: Value '"+p+"' at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to 4096"))
p='{"a":["'+'y'*4086+'"]}'
block('a 4096-character pattern is accepted', p, M('{"a":"'+'y'*4086+'"}'))
open(__import__('os').path.join(__import__('os').path.dirname(__import__('os').path.abspath(__file__)),'..','conformance.txt'),'w').write("# Conformance cases for EventBridge event patterns, written from AWS's documentation and\n# observed behaviour. Each block: `pattern`, then `match`/`nomatch` events or the exact `error`.\n# A value starting with a double quote is a JSON string literal.\n\n"+"\n".join(out))
print(sum(1 for l in out if l.startswith(('match','nomatch','error'))))
