#include "om/op_def.h"

#include "om/corrupt_file.h"

namespace ptqc {

namespace {

void encode_attr(const Node& node, const std::string& key, const Attribute& attr, WeightsWriter& weights,
                 proto::AttrDef& def) {
  def.set_name(key);
  switch (attr.kind) {
    case Attribute::Kind::kInt: def.set_i(attr.i); break;
    case Attribute::Kind::kFloat: def.set_f(attr.f); break;
    case Attribute::Kind::kString: def.set_s(attr.s); break;
    case Attribute::Kind::kInts: def.mutable_ints()->mutable_value()->Add(attr.ints.begin(), attr.ints.end()); break;
    case Attribute::Kind::kFloats:
      def.mutable_floats()->mutable_value()->Add(attr.floats.begin(), attr.floats.end());
      break;
    case Attribute::Kind::kStrings:
      for (const auto& s : attr.strings) def.mutable_strings()->add_value(s);
      break;
    case Attribute::Kind::kTensor:
      *def.mutable_tensor() = weights.append(attr.t, false, node.describe() + " attribute '" + key + "'");
      break;
  }
}

Attribute decode_attr(const proto::AttrDef& def, const Node& node, std::string_view weights, const std::string& origin,
                      std::vector<OmWeight>& weight_list) {
  Attribute attr;
  switch (def.value_case()) {
    case proto::AttrDef::kI: attr.kind = Attribute::Kind::kInt; attr.i = def.i(); break;
    case proto::AttrDef::kF: attr.kind = Attribute::Kind::kFloat; attr.f = def.f(); break;
    case proto::AttrDef::kS: attr.kind = Attribute::Kind::kString; attr.s = def.s(); break;
    case proto::AttrDef::kInts:
      attr.kind = Attribute::Kind::kInts;
      attr.ints.assign(def.ints().value().begin(), def.ints().value().end());
      break;
    case proto::AttrDef::kFloats:
      attr.kind = Attribute::Kind::kFloats;
      attr.floats.assign(def.floats().value().begin(), def.floats().value().end());
      break;
    case proto::AttrDef::kStrings:
      attr.kind = Attribute::Kind::kStrings;
      attr.strings.assign(def.strings().value().begin(), def.strings().value().end());
      break;
    case proto::AttrDef::kTensor:
      attr.kind = Attribute::Kind::kTensor;
      attr.t = read_weight(def.tensor(), weights, origin, node.describe() + " attribute '" + def.name() + "'");
      weight_list.push_back(describe_weight(def.tensor(), node.name + ":" + def.name()));
      break;
    case proto::AttrDef::VALUE_NOT_SET:
      throw_corrupt_om(origin, node.describe() + " attribute '" + def.name() + "' has no value");
  }
  return attr;
}

}  // namespace

void encode_op(const Node& node, WeightsWriter& weights, proto::OpDef& def) {
  def.set_name(node.name);
  def.set_type(node.op_type);
  def.set_domain(node.domain);
  for (const auto& in : node.inputs) def.add_input(in);
  for (const auto& out : node.outputs) def.add_output(out);
  for (const auto& [key, attr] : node.attrs) encode_attr(node, key, attr, weights, *def.add_attr());
}

Node decode_op(const proto::OpDef& def, std::string_view weights, const std::string& origin,
               std::vector<OmWeight>& weight_list) {
  Node node;
  node.name = def.name();
  node.op_type = def.type();
  node.domain = def.domain();
  if (node.op_type.empty()) throw_corrupt_om(origin, "op '" + node.name + "' has no op type");
  node.inputs.assign(def.input().begin(), def.input().end());
  node.outputs.assign(def.output().begin(), def.output().end());
  for (const proto::AttrDef& attr : def.attr()) {
    Attribute value = decode_attr(attr, node, weights, origin, weight_list);
    if (!node.attrs.emplace(attr.name(), std::move(value)).second) {
      throw_corrupt_om(origin, node.describe() + " has attribute '" + attr.name() + "' twice");
    }
  }
  return node;
}

}  // namespace ptqc
